/**
 * @module
 * Every pair in a scope with what the list, the sweep and the figures need: members, unit,
 * last confirmed meeting, confirmed meetings, next due day and health. Loaded in five set-based
 * reads and computed in memory, since the due rule (absences, pauses, the work calendar) is not
 * SQL; the district's few thousand pairs fit comfortably.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { cadres, units } from '../../db/schema/org.ts';
import { mentorshipCheckins, mentorshipMembers, mentorshipPairs, mentorshipPauses, type MentorshipPair } from '../../db/schema/mentorship.ts';
import type { Db } from '../../db/client.ts';
import type { Scope } from '../org/scope.ts';
import { addDays, type WorkCalendar } from '../reminders/calendar.ts';
import { absencesByCadre, anyOf } from '../reminders/store.ts';
import { localDay } from '../reminders/time.ts';
import { missedPeriods, nextDueDay, pairHealth, type DueInput, type Health } from './due.ts';
import { pairInScope } from './pairs.ts';

export interface PairMember {
  cadreId: number;
  name: string;
  unitId: number;
  unitName: string;
  larkOpenId: string | null;
}

export interface PairSummary {
  id: number;
  shape: MentorshipPair['shape'];
  cadence: MentorshipPair['cadence'];
  status: MentorshipPair['status'];
  startsOn: string;
  endsOn: string | null;
  pauseReason: string | null;
  /** In nudge order. */
  mentors: PairMember[];
  mentees: PairMember[];
  /** The (first) mentee's unit: where the pair belongs in the figures. */
  unitId: number;
  unitName: string;
  lastConfirmedOn: string | null;
  confirmedCount: number;
  nextDue: string | null;
  missed: number;
  health: Health;
  /** Input of the due rule, for the sweep. */
  due: DueInput;
}

export interface SummaryOptions {
  /** The local day of "now". */
  today: string;
  calendar: WorkCalendar;
  timeZone: string;
  /** Only these pairs (still within the scope). */
  pairIds?: number[];
}

/** Summaries of the scope's pairs, oldest first. */
export async function pairSummaries(db: Db, scope: Scope, options: SummaryOptions): Promise<PairSummary[]> {
  const { today, calendar, timeZone, pairIds } = options;
  const pairs = await db
    .select()
    .from(mentorshipPairs)
    .where(and(pairInScope(scope), pairIds ? anyOf(mentorshipPairs.id, pairIds, 'int') : undefined))
    .orderBy(asc(mentorshipPairs.id));
  if (pairs.length === 0) return [];
  const ids = pairs.map((p) => p.id);
  const [members, stats, pauses] = await Promise.all([
    db
      .select({ pairId: mentorshipMembers.pairId, role: mentorshipMembers.role, cadreId: cadres.id, name: cadres.name, unitId: cadres.unitId, unitName: units.name, larkOpenId: cadres.larkOpenId })
      .from(mentorshipMembers)
      .innerJoin(cadres, eq(cadres.id, mentorshipMembers.cadreId))
      .innerJoin(units, eq(units.id, cadres.unitId))
      .where(anyOf(mentorshipMembers.pairId, ids, 'int'))
      .orderBy(asc(mentorshipMembers.position)),
    db
      .select({
        pairId: mentorshipCheckins.pairId,
        lastConfirmedOn: sql<string | null>`max(${mentorshipCheckins.metOn}) filter (where ${mentorshipCheckins.status} = 'confirmed')`,
        confirmed: sql<number>`count(*) filter (where ${mentorshipCheckins.status} = 'confirmed')::int`,
        // The latest check-in, when it still waits for the mentee: what "unconfirmed" is about.
        latestUnanswered: sql<Date | string | null>`case when (array_agg(${mentorshipCheckins.status}::text order by ${mentorshipCheckins.createdAt} desc, ${mentorshipCheckins.id} desc))[1] = 'submitted' then max(${mentorshipCheckins.createdAt}) end`,
      })
      .from(mentorshipCheckins)
      .where(anyOf(mentorshipCheckins.pairId, ids, 'int'))
      .groupBy(mentorshipCheckins.pairId),
    db.select().from(mentorshipPauses).where(anyOf(mentorshipPauses.pairId, ids, 'int')),
  ]);
  const earliest = pairs.reduce((m, p) => (p.startsOn < m ? p.startsOn : m), today);
  const absences = await absencesByCadre(db, [...new Set(members.map((m) => m.cadreId))], earliest, addDays(today, 400));
  const statsOf = new Map(stats.map((s) => [s.pairId, s]));
  return pairs.map((p) => {
    const own = members.filter((m) => m.pairId === p.id);
    const mentors = own.filter((m) => m.role === 'mentor');
    const mentees = own.filter((m) => m.role === 'mentee');
    const s = statsOf.get(p.id);
    const due: DueInput = {
      status: p.status,
      startsOn: p.startsOn,
      endsOn: p.endsOn,
      cadence: p.cadence,
      lastConfirmedOn: s?.lastConfirmedOn ?? null,
      pauses: pauses.filter((x) => x.pairId === p.id),
      menteeAbsences: mentees.flatMap((m) => absences.get(m.cadreId) ?? []),
      mentorAbsences: mentors.map((m) => absences.get(m.cadreId) ?? []),
    };
    const home = mentees[0] ?? mentors[0];
    return {
      id: p.id,
      shape: p.shape,
      cadence: p.cadence,
      status: p.status,
      startsOn: p.startsOn,
      endsOn: p.endsOn,
      pauseReason: p.pauseReason,
      mentors: mentors.map(member),
      mentees: mentees.map(member),
      unitId: home?.unitId ?? 0,
      unitName: home?.unitName ?? '',
      lastConfirmedOn: due.lastConfirmedOn,
      confirmedCount: s?.confirmed ?? 0,
      nextDue: nextDueDay(due, today, calendar),
      missed: missedPeriods(due, today, calendar),
      health: pairHealth(due, s?.latestUnanswered ? { loggedOn: localDay(new Date(s.latestUnanswered), timeZone) } : null, today, calendar),
      due,
    };
  });
}

function member(m: PairMember & { pairId: number; role: string }): PairMember {
  return { cadreId: m.cadreId, name: m.name, unitId: m.unitId, unitName: m.unitName, larkOpenId: m.larkOpenId };
}
