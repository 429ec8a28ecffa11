/**
 * @module
 * When a pair's next meeting is due, and how healthy the pair is. Pure: the caller loads the
 * pair, its last confirmed check-in, its pauses and its members' absences.
 *
 * The rule: the next meeting is due one cadence after the last confirmed check-in (the day
 * they met, so a check-in logged late counts from the meeting), or after the pair's start. The
 * day moves by the days the pair could not meet (the mentee away, every mentor away, the pair
 * paused) and then to a working day. A paused or ended pair is not due.
 */
import { addDays, daysBetween, type WorkCalendar } from '../reminders/calendar.ts';
import { shiftedDueDay, type Absence } from '../reminders/absence.ts';

export const CADENCES = ['weekly', 'fortnightly', 'monthly'] as const;
export type Cadence = (typeof CADENCES)[number];

/** A check-in left unanswered this long shows as unconfirmed. */
export const UNCONFIRMED_AFTER_DAYS = 7;

/** One cadence after `day`; a month after 31 January is the last day of February. */
export function addCadence(day: string, cadence: Cadence): string {
  if (cadence === 'weekly') return addDays(day, 7);
  if (cadence === 'fortnightly') return addDays(day, 14);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const year = m === 12 ? y + 1 : y;
  const month = m === 12 ? 1 : m + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** Days on which every list has an absence: when all of a pair's mentors are away at once. */
export function commonAbsences(lists: readonly (readonly Absence[])[]): Absence[] {
  if (lists.length === 0) return [];
  let common: Absence[] = [...lists[0]!];
  for (const list of lists.slice(1)) {
    const next: Absence[] = [];
    for (const a of common)
      for (const b of list) {
        const startsOn = a.startsOn > b.startsOn ? a.startsOn : b.startsOn;
        const endsOn = a.endsOn < b.endsOn ? a.endsOn : b.endsOn;
        if (startsOn <= endsOn) next.push({ startsOn, endsOn });
      }
    common = next;
  }
  return common;
}

export interface DueInput {
  status: 'active' | 'paused' | 'ended';
  startsOn: string;
  endsOn: string | null;
  cadence: Cadence;
  /** The day of the last confirmed meeting, if any. */
  lastConfirmedOn: string | null;
  /** Pauses; an open one has no end (it lasts through `today`). */
  pauses: ReadonlyArray<{ startsOn: string; endsOn: string | null }>;
  menteeAbsences: readonly Absence[];
  /** Each mentor's absences: the pair can still meet while one mentor of several is there. */
  mentorAbsences: ReadonlyArray<readonly Absence[]>;
}

/** Days the pair could not meet: any mentee away, every mentor away, the pair paused. */
function daysAway(input: DueInput, today: string): Absence[] {
  const pauses = input.pauses.map((p) => ({ startsOn: p.startsOn, endsOn: p.endsOn ?? today }));
  return [...input.menteeAbsences, ...commonAbsences(input.mentorAbsences), ...pauses];
}

/** The next due day, or null when the pair is paused, ended, or its period is over by then. */
export function nextDueDay(input: DueInput, today: string, calendar: WorkCalendar): string | null {
  if (input.status !== 'active') return null;
  const since = input.lastConfirmedOn && input.lastConfirmedOn > input.startsOn ? input.lastConfirmedOn : input.startsOn;
  const due = calendar.nextWorkingDay(shiftedDueDay(addCadence(since, input.cadence), since, daysAway(input, today)));
  if (input.endsOn && due > input.endsOn) return null;
  return due;
}

/**
 * How many periods have gone by without a confirmed meeting, as of `today`: 0 before the due
 * day, 1 from it, 2 from one cadence later, and so on.
 */
export function missedPeriods(input: DueInput, today: string, calendar: WorkCalendar): number {
  const due = nextDueDay(input, today, calendar);
  if (!due || today < due) return 0;
  let n = 1;
  for (let d = calendar.nextWorkingDay(addCadence(due, input.cadence)); d <= today && n < 1000; d = calendar.nextWorkingDay(addCadence(d, input.cadence))) n++;
  return n;
}

export const HEALTHS = ['on_track', 'due', 'overdue', 'unconfirmed'] as const;
export type Health = (typeof HEALTHS)[number];

/**
 * On track before the due day; due once it comes; overdue after two missed periods in a row.
 * A pair whose latest check-in has waited more than 7 days for the mentee shows as unconfirmed
 * unless it is overdue: the department should ask the mentee, not the mentor.
 */
export function pairHealth(input: DueInput, latestUnanswered: { loggedOn: string } | null, today: string, calendar: WorkCalendar): Health {
  const missed = missedPeriods(input, today, calendar);
  if (missed >= 2) return 'overdue';
  if (latestUnanswered && daysBetween(latestUnanswered.loggedOn, today) > UNCONFIRMED_AFTER_DAYS) return 'unconfirmed';
  return missed === 1 ? 'due' : 'on_track';
}
