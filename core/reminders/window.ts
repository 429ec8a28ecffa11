/**
 * @module
 * When a proactive message may reach a person: outside quiet hours (免打扰时段), and, for rules
 * that say so, on a working day of the work calendar. A slot that falls outside is moved: later
 * for nudges ("at the next allowed moment"), earlier for deadline warnings ("never after the
 * deadline"), as each feature states.
 */
import { localDay, localParts, zonedTime } from './time.ts';
import { addDays, type WorkCalendar } from './calendar.ts';

/** Local wall-clock times 'HH:MM'; the span may wrap midnight (21:00–08:00). Equal means none. */
export interface QuietHours {
  from: string;
  to: string;
}

/** What a feature says about when its messages may go out. */
export interface SendWindow {
  quietHours: QuietHours;
  /** Only on working days of the work calendar (weekends off, holidays off, make-up days on). */
  workingDaysOnly: boolean;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { from: '21:00', to: '08:00' };

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isHhMm(value: string): boolean {
  return HHMM.test(value);
}

export const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether local minute-of-day `minute` (0–1439) falls in quiet hours. */
export function isQuiet(minute: number, quiet: QuietHours): boolean {
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  if (from === to) return false;
  return from < to ? minute >= from && minute < to : minute >= from || minute < to;
}

/** Where the calendar and the clock meet: the zone and the days off. */
export interface WindowContext {
  timeZone: string;
  calendar: WorkCalendar;
}

function at(ctx: WindowContext, day: string, minute: number): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return zonedTime(ctx.timeZone, y, m, d, Math.floor(minute / 60), minute % 60);
}

/** Whether a message may go out at `instant`. */
export function isAllowed(instant: Date, window: SendWindow, ctx: WindowContext): boolean {
  const p = localParts(instant, ctx.timeZone);
  if (isQuiet(p.hour * 60 + p.minute, window.quietHours)) return false;
  return !window.workingDaysOnly || ctx.calendar.isWorkingDay(localDay(instant, ctx.timeZone));
}

/** The first allowed moment at or after `instant`: quiet hours end, the next working day begins. */
export function nextAllowed(instant: Date, window: SendWindow, ctx: WindowContext): Date {
  let t = instant;
  for (let i = 0; i < 120; i++) {
    const day = localDay(t, ctx.timeZone);
    if (window.workingDaysOnly && !ctx.calendar.isWorkingDay(day)) {
      // Midnight of the next working day; the quiet-hours step below moves it to their end.
      t = at(ctx, ctx.calendar.nextWorkingDay(day), 0);
      continue;
    }
    const p = localParts(t, ctx.timeZone);
    const minute = p.hour * 60 + p.minute;
    if (!isQuiet(minute, window.quietHours)) return t;
    const end = at(ctx, day, minutesOf(window.quietHours.to));
    t = end > t ? end : at(ctx, addDays(day, 1), minutesOf(window.quietHours.to));
  }
  return t;
}

/**
 * The last allowed moment at or before `instant`: for warnings that must come before a
 * deadline, a slot in quiet hours or on a day off moves earlier, never later.
 */
export function previousAllowed(instant: Date, window: SendWindow, ctx: WindowContext): Date {
  const from = minutesOf(window.quietHours.from);
  let t = instant;
  for (let i = 0; i < 120; i++) {
    const day = localDay(t, ctx.timeZone);
    if (window.workingDaysOnly && !ctx.calendar.isWorkingDay(day)) {
      // The last minute of the previous working day that is not quiet.
      t = new Date(at(ctx, addDays(ctx.calendar.previousWorkingDay(day), 1), 0).getTime() - 60_000);
      continue;
    }
    const p = localParts(t, ctx.timeZone);
    const minute = p.hour * 60 + p.minute;
    if (!isQuiet(minute, window.quietHours)) return t;
    // Quiet began at `from` today, or yesterday when the span wraps midnight and we are past it.
    const startDay = minute >= from ? day : addDays(day, -1);
    t = new Date(at(ctx, startDay, from).getTime() - 60_000);
  }
  return t;
}
