/**
 * @module
 * When to remind raters who have not voted yet, as pure functions of the campaign's plan and a
 * clock: the evaluation's rules on the shared reminder engine (core/reminders). Slots: at
 * opening, daily at a set time, and on the morning of the last day; never in quiet hours (a slot
 * inside them moves to their end), optionally only on working days of the work calendar
 * (`skipWeekends`: weekends and statutory holidays off, make-up workdays on), at most
 * `maxReminders` in all. The sweep (jobs) asks `dueReminder` for each non-responder, then the
 * engine (absences, the daily cap, keys) decides what goes out.
 */
import { localDay, localParts, zonedTime } from '../reminders/time.ts';
import { WorkCalendar } from '../reminders/calendar.ts';
import { isHhMm, isQuiet, minutesOf, nextAllowed } from '../reminders/window.ts';
import type { Issue } from './errors.ts';

export interface ReminderPlan {
  atOpening: boolean;
  /** 'HH:MM' local time, or null for no daily reminder. */
  dailyAt: string | null;
  /** Remind on the last day (at `dailyAt`, or at the end of quiet hours when no daily time is set). */
  lastDay: boolean;
  quietHours: { from: string; to: string };
  /** Working days only (the work calendar's, not just Monday to Friday). */
  skipWeekends: boolean;
  maxReminders: number;
}

export const DEFAULT_REMINDER_PLAN: ReminderPlan = {
  atOpening: true,
  dailyAt: '10:00',
  lastDay: true,
  quietHours: { from: '21:00', to: '08:00' },
  skipWeekends: false,
  maxReminders: 5,
};

/** "Remind me in 2 hours". */
export const SNOOZE_MS = 2 * 60 * 60 * 1000;

export function reminderPlanIssues(plan: ReminderPlan): Issue[] {
  const issues: Issue[] = [];
  if (plan.dailyAt != null && !isHhMm(plan.dailyAt)) issues.push({ code: 'reminder.dailyAt' });
  if (!isHhMm(plan.quietHours?.from ?? '') || !isHhMm(plan.quietHours?.to ?? '')) issues.push({ code: 'reminder.quietHours' });
  if (!Number.isInteger(plan.maxReminders) || plan.maxReminders < 0 || plan.maxReminders > 20) issues.push({ code: 'reminder.max', params: { max: 20 } });
  return issues;
}

export { isQuiet };

export interface ReminderSlot {
  /** Stable key for de-duplication: `opening`, `daily:YYYY-MM-DD`, `last:YYYY-MM-DD`. */
  key: string;
  at: Date;
}

export interface ReminderWindow {
  opensAt: Date;
  closesAt: Date;
  tz: string;
  /** The work calendar for `skipWeekends`; without one, Monday to Friday. */
  calendar?: WorkCalendar;
}

const WEEK_ONLY = new WorkCalendar([]);

function allowed(at: Date, plan: ReminderPlan, w: ReminderWindow): boolean {
  if (at < w.opensAt || at >= w.closesAt) return false;
  const p = localParts(at, w.tz);
  if (isQuiet(p.hour * 60 + p.minute, plan.quietHours)) return false;
  return !plan.skipWeekends || (w.calendar ?? WEEK_ONLY).isWorkingDay(localDay(at, w.tz));
}

/** Moves an instant in quiet hours to their end (same or next local day). */
function afterQuiet(at: Date, plan: ReminderPlan, w: Pick<ReminderWindow, 'tz' | 'calendar'>): Date {
  return nextAllowed(at, { quietHours: plan.quietHours, workingDaysOnly: false }, { timeZone: w.tz, calendar: w.calendar ?? WEEK_ONLY });
}

/**
 * Every slot of the campaign, in time order, before the cap: opening, each day's `dailyAt`,
 * and the last day's slot. Slots in quiet hours move to their end; slots on skipped weekends or
 * outside the window are dropped; two slots at the same instant count once.
 */
export function reminderSlots(plan: ReminderPlan, w: ReminderWindow): ReminderSlot[] {
  const slots: ReminderSlot[] = [];
  if (plan.atOpening) slots.push({ key: 'opening', at: afterQuiet(w.opensAt, plan, w) });
  const last = localParts(new Date(w.closesAt.getTime() - 1), w.tz);
  const lastKey = `${last.year}-${String(last.month).padStart(2, '0')}-${String(last.day).padStart(2, '0')}`;
  if (plan.dailyAt) {
    const daily = minutesOf(plan.dailyAt);
    const first = localParts(w.opensAt, w.tz);
    for (let d = 0; d < 400; d++) {
      const at = afterQuiet(zonedTime(w.tz, first.year, first.month, first.day + d, Math.floor(daily / 60), daily % 60), plan, w);
      if (at >= w.closesAt) break;
      const p = localParts(at, w.tz);
      const day = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
      slots.push({ key: day === lastKey && plan.lastDay ? `last:${day}` : `daily:${day}`, at });
    }
  }
  if (plan.lastDay && !slots.some((s) => s.key.startsWith('last:'))) {
    const to = minutesOf(plan.quietHours.to);
    const morning = afterQuiet(zonedTime(w.tz, last.year, last.month, last.day, Math.floor(to / 60), to % 60), plan, w);
    const at = morning < w.opensAt ? w.opensAt : morning;
    slots.push({ key: `last:${lastKey}`, at: afterQuiet(at, plan, w) });
  }
  const seen = new Set<number>();
  const unique: ReminderSlot[] = [];
  for (const slot of slots.filter((s) => allowed(s.at, plan, w)).sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (seen.has(slot.at.getTime())) continue;
    seen.add(slot.at.getTime());
    unique.push(slot);
  }
  return unique;
}

export interface ReminderDecision {
  /** The slot to send for now, or null. */
  due: ReminderSlot | null;
  /** The next slot after now, or null when none is left. */
  next: ReminderSlot | null;
}

export interface ReminderState {
  /** Reminders already sent. */
  sent: number;
  /** When the last message went (a slot already covered by it is not due again). */
  lastSentAt: Date | null;
  /**
   * When the invitation went. It is the opening notice: no reminder follows it on the same
   * local day, so a campaign opened after the day's slot has passed (or just before it) sends
   * its first reminder at the next day's slot, not a second after the invitation.
   */
  invitedAt?: Date | null;
}

/**
 * For a rater who has not voted: is a reminder due now? Only the most recent passed slot is
 * due, so a sweep that was down for a day sends one reminder, not a burst; slots on the day of
 * the invitation (and before it) are covered by the invitation.
 */
export function dueReminder(plan: ReminderPlan, w: ReminderWindow, state: ReminderState, now: Date): ReminderDecision {
  const invitedDay = state.invitedAt ? localDay(state.invitedAt, w.tz) : null;
  const slots = reminderSlots(plan, w).filter((s) => invitedDay == null || localDay(s.at, w.tz) > invitedDay);
  const next = slots.find((s) => s.at > now) ?? null;
  if (state.sent >= plan.maxReminders || now >= w.closesAt) return { due: null, next: null };
  const passed = slots.filter((s) => s.at <= now);
  const latest = passed.at(-1);
  if (!latest || (state.lastSentAt && state.lastSentAt >= latest.at) || !allowed(now, plan, w)) {
    return { due: null, next: state.sent >= plan.maxReminders ? null : next };
  }
  return { due: latest, next };
}

/** When a "remind me in 2 hours" should fire: two hours on, past quiet hours and, for `skipWeekends`, to a working day. */
export function snoozeUntil(plan: ReminderPlan, w: ReminderWindow, now: Date): Date | null {
  const at = nextAllowed(new Date(now.getTime() + SNOOZE_MS), { quietHours: plan.quietHours, workingDaysOnly: plan.skipWeekends }, { timeZone: w.tz, calendar: w.calendar ?? WEEK_ONLY });
  return at < w.closesAt ? at : null;
}
