/**
 * @module
 * One pair's page: its goals with the mentee's progress at each check-in, and the check-in
 * timeline with both sides' words. Read within scope; opening a pair is audited, since it shows
 * what a mentee said about their growth.
 */
import { and, asc, desc, eq } from 'drizzle-orm';
import { cadres } from '../../db/schema/org.ts';
import { mentorshipCheckins, mentorshipGoals, mentorshipProgress, type MentorshipCheckin, type MentorshipGoal } from '../../db/schema/mentorship.ts';
import type { Db } from '../../db/client.ts';
import { audit } from '../audit.ts';
import type { RequestContext } from '../org/scope.ts';
import type { WorkCalendar } from '../reminders/calendar.ts';
import { anyOf } from '../reminders/store.ts';
import { pairSummaries, type PairSummary } from './summaries.ts';

export interface PairDetail {
  summary: PairSummary;
  goals: Array<MentorshipGoal & { levels: Array<{ metOn: string; level: number }> }>;
  checkins: Array<MentorshipCheckin & { mentorName: string }>;
}

export async function viewPair(db: Db, ctx: RequestContext, pairId: number, options: { today: string; calendar: WorkCalendar; timeZone: string }): Promise<PairDetail | null> {
  const [summary] = await pairSummaries(db, ctx.scope, { ...options, pairIds: [pairId] });
  if (!summary) return null;
  const [goals, checkins] = await Promise.all([
    db.select().from(mentorshipGoals).where(eq(mentorshipGoals.pairId, pairId)).orderBy(asc(mentorshipGoals.position)),
    db
      .select({ checkin: mentorshipCheckins, mentorName: cadres.name })
      .from(mentorshipCheckins)
      .innerJoin(cadres, eq(cadres.id, mentorshipCheckins.mentorId))
      .where(eq(mentorshipCheckins.pairId, pairId))
      .orderBy(desc(mentorshipCheckins.metOn), desc(mentorshipCheckins.id)),
  ]);
  const levels = checkins.length
    ? await db
        .select({ goalId: mentorshipProgress.goalId, level: mentorshipProgress.level, metOn: mentorshipCheckins.metOn })
        .from(mentorshipProgress)
        .innerJoin(mentorshipCheckins, eq(mentorshipCheckins.id, mentorshipProgress.checkinId))
        .where(and(anyOf(mentorshipProgress.checkinId, checkins.map((c) => c.checkin.id), 'int'), eq(mentorshipCheckins.status, 'confirmed')))
        .orderBy(asc(mentorshipCheckins.metOn))
    : [];
  await audit(db, { actorId: ctx.actor.id, action: 'view', entity: 'mentorship_pair', entityId: pairId, ip: ctx.ip });
  return {
    summary,
    goals: goals.map((g) => ({ ...g, levels: levels.filter((l) => l.goalId === g.id).map(({ metOn, level }) => ({ metOn, level })) })),
    checkins: checkins.map((c) => ({ ...c.checkin, mentorName: c.mentorName })),
  };
}
