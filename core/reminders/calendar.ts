/**
 * @module
 * The work calendar (工作日历): which local days are working days. The week says Monday to
 * Friday; the State Council's yearly notice overrides it with statutory holidays (法定节假日,
 * days off even on a weekday) and make-up workdays (调休上班日, a Saturday or Sunday that is
 * worked). Rules that say "working days" ask this calendar, so a nudge due on 1 October waits
 * for 8 October and a make-up Saturday counts as a working day.
 *
 * Days are ISO strings (YYYY-MM-DD) of the department's local date: the calendar knows nothing
 * of instants or time zones; `core/reminders/time.ts` turns an instant into its local day.
 */
import { readFileSync } from 'node:fs';
import { parseCsv } from '../csv.ts';
import { isDay } from '../dates.ts';

export type SpecialDayKind = 'holiday' | 'workday';

/** One day that does not follow the week: a holiday on a weekday or a make-up workday. */
export interface SpecialDay {
  date: string;
  kind: SpecialDayKind;
  /** The holiday it belongs to, e.g. 国庆节. */
  name: string;
}

const DAY_MS = 86_400_000;

function toUtc(day: string): number {
  if (!isDay(day)) throw new RangeError(`not a calendar day: ${day}`);
  return Date.parse(`${day}T00:00:00Z`);
}

/** The day `n` days after `day` (before, for negative n). */
export function addDays(day: string, n: number): string {
  return new Date(toUtc(day) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day: string): number {
  return new Date(toUtc(day)).getUTCDay();
}

/**
 * A calendar built from special days. Years with no special days at all are still answered
 * by the week alone; `covers(year)` says whether a year's notice has been entered, so the
 * panel can warn before a year starts without one.
 * @example
 * const cal = new WorkCalendar(builtinSpecialDays());
 * cal.isWorkingDay('2026-10-10') // true: a make-up Saturday
 * cal.addWorkingDays('2026-09-30', 1) // '2026-10-08'
 */
export class WorkCalendar {
  readonly #special = new Map<string, SpecialDay>();
  readonly #years = new Set<number>();

  constructor(days: Iterable<SpecialDay>, extraCoveredYears: Iterable<number> = []) {
    for (const day of days) {
      this.#special.set(day.date, day);
      this.#years.add(Number(day.date.slice(0, 4)));
    }
    for (const y of extraCoveredYears) this.#years.add(y);
  }

  /** The special day on `day`, if it has one. */
  special(day: string): SpecialDay | undefined {
    return this.#special.get(day);
  }

  isWorkingDay(day: string): boolean {
    const special = this.#special.get(day);
    if (special) return special.kind === 'workday';
    const weekday = weekdayOf(day);
    return weekday !== 0 && weekday !== 6;
  }

  /** `day` itself when it is a working day, else the first working day after it. */
  nextWorkingDay(day: string): string {
    let d = day;
    // A year has at most a few weeks off in a row; 60 days bounds a corrupt calendar.
    for (let i = 0; i < 60 && !this.isWorkingDay(d); i++) d = addDays(d, 1);
    return d;
  }

  /** `day` itself when it is a working day, else the last working day before it. */
  previousWorkingDay(day: string): string {
    let d = day;
    for (let i = 0; i < 60 && !this.isWorkingDay(d); i++) d = addDays(d, -1);
    return d;
  }

  /**
   * The working day `n` working days after `day` (before, for negative n). From a day off,
   * counting starts at the nearest working day in the direction of travel, so "1 working day
   * after Saturday" is Tuesday and "0 working days after Saturday" is Monday.
   */
  addWorkingDays(day: string, n: number): string {
    const step = n < 0 ? -1 : 1;
    let d = step > 0 ? this.nextWorkingDay(day) : this.previousWorkingDay(day);
    for (let left = Math.abs(n); left > 0; left--) {
      d = addDays(d, step);
      while (!this.isWorkingDay(d)) d = addDays(d, step);
    }
    return d;
  }

  /** Working days in (from, to]: how many working days have passed since `from` by `to`. */
  workingDaysBetween(from: string, to: string): number {
    if (to <= from) return 0;
    let count = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (this.isWorkingDay(d)) count++;
    return count;
  }

  /** Whether the holiday notice for `year` has been entered. */
  covers(year: number): boolean {
    return this.#years.has(year);
  }

  /** The special days of a year, in date order. */
  specialDaysOf(year: number): SpecialDay[] {
    return [...this.#special.values()].filter((d) => d.date.startsWith(`${year}-`)).sort((a, b) => a.date.localeCompare(b.date));
  }
}

/** What is wrong with one special day as someone typed it. */
export type SpecialDayIssue =
  | { code: 'calendar.date'; value: string }
  | { code: 'calendar.kind'; value: string }
  | { code: 'calendar.name' }
  | { code: 'calendar.duplicate'; value: string }
  | { code: 'calendar.workdayOnWeekday'; value: string };

export type CalendarCsvIssue =
  | { code: 'calendar.header'; line: number }
  | { code: 'calendar.empty'; line: number }
  | { code: 'calendar.year'; line: number; value: string }
  | (SpecialDayIssue & { line: number });

/** The kind as people type it: `holiday` / `workday`, or 休 / 班. */
export function specialDayKind(raw: string): SpecialDayKind | undefined {
  return raw === 'holiday' || raw === '休' ? 'holiday' : raw === 'workday' || raw === '班' ? 'workday' : undefined;
}

/**
 * Checks one special day as typed. A holiday on a weekend is allowed (weekend days inside a
 * holiday are listed), a make-up workday on a weekday is not: it would mean nothing.
 * `taken` says whether the date is already listed.
 */
export function checkSpecialDay(input: { date: string; kind: string; name: string }, taken: (date: string) => boolean): SpecialDay | SpecialDayIssue {
  const date = input.date.trim();
  const name = input.name.trim();
  const kind = specialDayKind(input.kind.trim());
  if (!isDay(date)) return { code: 'calendar.date', value: date };
  if (!kind) return { code: 'calendar.kind', value: input.kind.trim() };
  if (!name || name.length > 20) return { code: 'calendar.name' };
  if (taken(date)) return { code: 'calendar.duplicate', value: date };
  const weekend = weekdayOf(date) === 0 || weekdayOf(date) === 6;
  if (kind === 'workday' && !weekend) return { code: 'calendar.workdayOnWeekday', value: date };
  return { date, kind, name };
}

/**
 * Reads a year's list in the shape of the State Council notice as shipped
 * (`date,kind,name`; kind is `holiday` or `workday`, or 休 / 班 as people type them). Returns
 * every problem with its line, so an import is all or nothing. With `year`, a day of another
 * year is a problem too, and so is a file without any day (it would empty the year).
 */
export function parseCalendarCsv(text: string, year?: number): { days: SpecialDay[]; issues: CalendarCsvIssue[] } {
  const rows = parseCsv(text).filter((r) => r.some((cell) => cell.trim() !== ''));
  const issues: CalendarCsvIssue[] = [];
  const days: SpecialDay[] = [];
  const header = rows[0]?.map((c) => c.trim().toLowerCase());
  if (!header || header[0] !== 'date' || header[1] !== 'kind') return { days, issues: [{ code: 'calendar.header', line: 1 }] };
  const seen = new Set<string>();
  rows.slice(1).forEach((row, i) => {
    const line = i + 2;
    const checked = checkSpecialDay({ date: row[0] ?? '', kind: row[1] ?? '', name: row[2] ?? '' }, (d) => seen.has(d));
    if ('code' in checked) return void issues.push({ ...checked, line });
    if (year !== undefined && !checked.date.startsWith(`${year}-`)) return void issues.push({ code: 'calendar.year', line, value: checked.date });
    seen.add(checked.date);
    days.push(checked);
  });
  if (year !== undefined && rows.length === 1) issues.push({ code: 'calendar.empty', line: 2 });
  return { days: issues.length ? [] : days, issues };
}

/** The calendars Miaopu ships: the State Council's notices it knows of (2026 today). */
export function builtinSpecialDays(): SpecialDay[] {
  const text = readFileSync(new URL('./calendars/cn-2026.csv', import.meta.url), 'utf8');
  const { days, issues } = parseCalendarCsv(text);
  if (issues.length) throw new Error(`built-in calendar is malformed: ${JSON.stringify(issues[0])}`);
  return days;
}
