/**
 * @module
 * The engine's sweep, shared by every feature: given the candidates a feature's rules produced
 * (who is owed what, for which slot), load what the engine needs to decide (the work calendar,
 * the candidates' absences, what each recipient already had today, which keys were already
 * written) in a few set-based queries, and plan. Writing the plan is the feature's: it knows its
 * cards. Digests go out under one key per recipient and day.
 */
import type { Db } from '../../db/client.ts';
import { outbox } from '../../db/schema/lark.ts';
import type { Clock } from '../clock.ts';
import { addDays, type WorkCalendar } from './calendar.ts';
import { planReminders, reminderKey, type EnginePlan, type ReminderCandidate } from './engine.ts';
import { absencesByCadre, anyOf, loadWorkCalendar, sentTodayCounts } from './store.ts';
import { localDay, zonedTime } from './time.ts';
import { DEFAULT_DAILY_CAP } from './cap.ts';

export interface SweepDeps {
  db: Db;
  clock: Clock;
  timeZone: string;
  dailyCap?: number;
  /** A calendar already loaded (a sweep of several features loads it once). */
  calendar?: WorkCalendar;
}

/** The instants at which the local day of `at` begins and ends. */
export function localDayBounds(at: Date, timeZone: string): { day: string; start: Date; end: Date } {
  const day = localDay(at, timeZone);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const next = addDays(day, 1).split('-').map(Number) as [number, number, number];
  return { day, start: zonedTime(timeZone, y, m, d, 0, 0), end: zonedTime(timeZone, next[0], next[1], next[2], 0, 0) };
}

/** The key of a recipient's digest for a day: at most one a day, across features. */
export function digestKey(recipient: string, day: string): string {
  return `reminders.digest:${recipient}:${day}`;
}

export async function planSweep<T extends ReminderCandidate>(candidates: readonly T[], deps: SweepDeps): Promise<EnginePlan<T> & { day: string }> {
  const now = deps.clock.now();
  const { day, start, end } = localDayBounds(now, deps.timeZone);
  const recipients = [...new Set(candidates.map((c) => c.recipient))];
  const cadreIds = [...new Set(candidates.flatMap((c) => (c.cadreId == null ? [] : [c.cadreId])))];
  const keys = candidates.map(reminderKey);
  const [calendar, absences, counts, written] = await Promise.all([
    deps.calendar ?? loadWorkCalendar(deps.db),
    absencesByCadre(deps.db, cadreIds, day, day),
    sentTodayCounts(deps.db, recipients, start, end),
    existingKeys(deps.db, keys),
  ]);
  const plan = planReminders(candidates, {
    now,
    timeZone: deps.timeZone,
    calendar,
    absencesOf: (id) => absences.get(id) ?? [],
    sentToday: (r) => counts.get(r) ?? 0,
    dailyCap: deps.dailyCap ?? DEFAULT_DAILY_CAP,
    alreadySent: (k) => written.has(k),
  });
  return { ...plan, day };
}

async function existingKeys(db: Db, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.select({ key: outbox.dedupeKey }).from(outbox).where(anyOf(outbox.dedupeKey, keys, 'text'));
  return new Set(rows.map((r) => r.key!));
}
