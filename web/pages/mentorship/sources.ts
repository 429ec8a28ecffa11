/**
 * @module
 * Mentorship on other pages: overdue pairs in the dashboard's "needs review" list (within the
 * viewer's scope), and logged meetings on both cadres' profile timelines.
 */
import { canManagePairs } from '../../../core/roles.ts';
import { and, desc, eq, inArray, ne } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { cadres } from '../../../db/schema/org.ts';
import { mentorshipCheckins, mentorshipMembers } from '../../../db/schema/mentorship.ts';
import type { Clock } from '../../../core/clock.ts';
import type { TimelineSource } from '../../../core/org/timeline.ts';
import { pairSummaries } from '../../../core/mentorship/summaries.ts';
import { loadWorkCalendar } from '../../../core/reminders/store.ts';
import { localDay } from '../../../core/reminders/time.ts';
import type { ReviewSource } from '../../context.ts';
import { mentorshipTextOf } from './text.ts';

export function mentorshipReviewSource(deps: { db: Db; clock: Clock; timeZone: string }): ReviewSource {
  return async ({ user, scope }) => {
    if (!canManagePairs(user)) return [];
    const today = localDay(deps.clock.now(), deps.timeZone);
    const overdue = (await pairSummaries(deps.db, scope, { today, calendar: await loadWorkCalendar(deps.db), timeZone: deps.timeZone })).filter((p) => p.health === 'overdue');
    return overdue.length ? [{ title: mentorshipTextOf('zh').reviewOverdue(overdue.length), href: '/mentorship?health=overdue' }] : [];
  };
}

/** The cadre's meetings as mentor or mentee (disputed ones left out), newest first. */
export const mentorshipTimeline: TimelineSource = async (db, cadreId) => {
  const mine = await db.select({ pairId: mentorshipMembers.pairId, role: mentorshipMembers.role }).from(mentorshipMembers).where(eq(mentorshipMembers.cadreId, cadreId));
  if (mine.length === 0) return [];
  const pairIds = mine.map((m) => m.pairId);
  const [checkins, members] = await Promise.all([
    db.select().from(mentorshipCheckins).where(and(inArray(mentorshipCheckins.pairId, pairIds), ne(mentorshipCheckins.status, 'disputed'))).orderBy(desc(mentorshipCheckins.metOn)).limit(30),
    db.select({ pairId: mentorshipMembers.pairId, role: mentorshipMembers.role, name: cadres.name }).from(mentorshipMembers).innerJoin(cadres, eq(cadres.id, mentorshipMembers.cadreId)).where(inArray(mentorshipMembers.pairId, pairIds)),
  ]);
  const x = mentorshipTextOf('zh');
  return checkins.map((c) => {
    const role = mine.find((m) => m.pairId === c.pairId)!.role;
    const others = members.filter((m) => m.pairId === c.pairId && m.role !== role).map((m) => m.name).join('、');
    return {
      at: new Date(`${c.metOn}T12:00:00+08:00`),
      kind: 'mentorship_checkin',
      title: role === 'mentor' ? x.timelineMentor(others) : x.timelineMentee(others),
      detail: [x.formName[c.form], c.topics, x.checkinStatus[c.status]].join(' · '),
      href: `/mentorship/${c.pairId}`,
    };
  });
};
