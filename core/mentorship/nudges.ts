/**
 * @module
 * Which escalation step each due pair takes today. A pair that reached its due day without a
 * logged meeting climbs the ladder from that day (or from the new date a mentor gave with "not
 * yet"): the nudge card, the card again (updated in place), Lark's urgent notice, the unit
 * admin's digest, the district admins. A meeting logged for the period closes it, even before
 * the mentee confirms (a disputed one reopens it). With several mentors they take the periods
 * in turn, so no one of them carries the pair alone.
 */
import { and, inArray, ne } from 'drizzle-orm';
import { mentorshipCheckins, mentorshipLadderSteps, mentorshipPostponements } from '../../db/schema/mentorship.ts';
import type { Db } from '../../db/client.ts';
import { DEFAULT_LADDER, dueLadderStep, type EscalationLadder, type PlannedStep } from '../reminders/ladder.ts';
import type { WorkCalendar } from '../reminders/calendar.ts';
import type { PairMember, PairSummary } from './summaries.ts';

export const MENTORSHIP_LADDER: EscalationLadder = DEFAULT_LADDER;

export interface DueStep {
  pair: PairSummary;
  /** The day the missed period's ladder started. */
  periodStart: string;
  step: PlannedStep;
  /** The mentor whose turn it is. */
  mentor: PairMember;
}

/** The mentor in turn: the periods go round the mentors in their order. */
export function mentorInTurn(pair: Pick<PairSummary, 'mentors' | 'confirmedCount'>): PairMember | undefined {
  return pair.mentors[pair.confirmedCount % Math.max(1, pair.mentors.length)];
}

/** Today's step for each pair that is due, read in three set-based queries. */
export async function dueSteps(db: Db, pairs: readonly PairSummary[], today: string, calendar: WorkCalendar, ladder: EscalationLadder = MENTORSHIP_LADDER): Promise<DueStep[]> {
  const due = pairs.filter((p) => p.status === 'active' && p.nextDue && p.nextDue <= today);
  if (due.length === 0) return [];
  const ids = due.map((p) => p.id);
  const [logged, postponed, taken] = await Promise.all([
    db
      .select({ pairId: mentorshipCheckins.pairId, metOn: mentorshipCheckins.metOn })
      .from(mentorshipCheckins)
      .where(and(inArray(mentorshipCheckins.pairId, ids), ne(mentorshipCheckins.status, 'disputed'))),
    db.select({ pairId: mentorshipPostponements.pairId, newDate: mentorshipPostponements.newDate }).from(mentorshipPostponements).where(inArray(mentorshipPostponements.pairId, ids)),
    db.select().from(mentorshipLadderSteps).where(inArray(mentorshipLadderSteps.pairId, ids)),
  ]);
  const out: DueStep[] = [];
  for (const pair of due) {
    const since = pair.lastConfirmedOn && pair.lastConfirmedOn > pair.startsOn ? pair.lastConfirmedOn : pair.startsOn;
    const done = logged.some((c) => c.pairId === pair.id && c.metOn > since);
    // "Not yet, on the 20th": the ladder waits for that day and starts from it.
    const later = postponed.filter((x) => x.pairId === pair.id && x.newDate > pair.nextDue!).map((x) => x.newDate).sort().at(-1);
    const periodStart = later ?? pair.nextDue!;
    if (periodStart > today) continue;
    const keys = new Set(taken.filter((s) => s.pairId === pair.id && s.periodStart === periodStart).map((s) => s.step));
    const step = dueLadderStep(ladder, { startDay: periodStart, done, taken: keys }, today, calendar);
    const mentor = mentorInTurn(pair);
    if (step && mentor) out.push({ pair, periodStart, step, mentor });
  }
  return out;
}

/** Records a step as taken; false when a concurrent sweep took it first. */
export async function takeStep(db: Pick<Db, 'insert'>, s: DueStep): Promise<boolean> {
  const rows = await db
    .insert(mentorshipLadderSteps)
    .values({ pairId: s.pair.id, periodStart: s.periodStart, step: s.step.key, mentorId: s.mentor.cadreId })
    .onConflictDoNothing()
    .returning({ pairId: mentorshipLadderSteps.pairId });
  return rows.length > 0;
}

/** The key of a pair's nudge card for a period: the repeat and the urgent notice act on its message. */
export const nudgeSlot = (pairId: number, periodStart: string) => `p${pairId}:${periodStart}`;


