/**
 * @module
 * Absences (请假、外出培训、异地挂职): while a cadre is away, nudges to them pause, and a due date
 * that comes from a cadence ("a meeting every fortnight") moves by the days they were away, so
 * a mentor back from two weeks' training is not told at once that a meeting is overdue.
 */
import { addDays, daysBetween } from './calendar.ts';

/** Local days, both inclusive. */
export interface Absence {
  startsOn: string;
  endsOn: string;
}

export function isAbsentOn(absences: readonly Absence[], day: string): boolean {
  return absences.some((a) => a.startsOn <= day && day <= a.endsOn);
}

/** Overlapping and touching absences merged, in date order. */
function merged(absences: readonly Absence[]): Absence[] {
  const sorted = [...absences].filter((a) => a.startsOn <= a.endsOn).sort((a, b) => a.startsOn.localeCompare(b.startsOn));
  const out: Absence[] = [];
  for (const a of sorted) {
    const last = out.at(-1);
    if (last && a.startsOn <= addDays(last.endsOn, 1)) {
      if (a.endsOn > last.endsOn) last.endsOn = a.endsOn;
    } else out.push({ ...a });
  }
  return out;
}

/** Days of absence in (after, through]. */
function absentDays(spans: readonly Absence[], after: string, through: string): number {
  let n = 0;
  for (const a of spans) {
    const from = a.startsOn > after ? a.startsOn : addDays(after, 1);
    const to = a.endsOn < through ? a.endsOn : through;
    if (from <= to) n += daysBetween(from, to) + 1;
  }
  return n;
}

/**
 * A cadence's due day, moved by the absences since the period began: the result leaves as
 * many days present in (since, due] as the cadence gave. Found as a fixed point, since moving
 * the date can bring a later absence into the period.
 * @example shiftedDueDay('2026-03-15', '2026-03-01', [{startsOn: '2026-03-05', endsOn: '2026-03-09'}]) // '2026-03-20'
 */
export function shiftedDueDay(dueDay: string, since: string, absences: readonly Absence[]): string {
  const spans = merged(absences);
  let due = dueDay;
  for (let i = 0; i < 1000; i++) {
    const next = addDays(dueDay, absentDays(spans, since, due));
    if (next === due) return due;
    due = next;
  }
  return due;
}
