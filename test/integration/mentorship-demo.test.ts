/**
 * The demo district's pairs: more than 300, once, the same on every start for the same day,
 * with a year of history in which some pairs went quiet and some check-ins wait for the mentee.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc } from 'drizzle-orm';
import { seedDemo } from '../../core/demo.ts';
import { seedMentorshipDemo } from '../../core/mentorship/demo.ts';
import { pairSummaries } from '../../core/mentorship/summaries.ts';
import { ensureBuiltinCalendar, loadWorkCalendar } from '../../core/reminders/store.ts';
import { mentorshipCheckins, mentorshipMembers } from '../../db/schema/mentorship.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';

const TODAY = '2026-12-01';

describe('the mentorship demo', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  beforeAll(async () => {
    [a, b] = await Promise.all([testDatabase(), testDatabase()]);
    for (const t of [a, b]) {
      await seedDemo(t.db);
      await ensureBuiltinCalendar(t.db);
    }
  });
  afterAll(async () => {
    await Promise.all([a.drop(), b.drop()]);
  });

  it('seeds more than 300 pairs with a year of check-ins, once, and the same each time', async () => {
    const first = await seedMentorshipDemo(a.db, TODAY);
    expect(first.seeded).toBe(true);
    expect(first.pairs).toBeGreaterThan(300);
    expect((await seedMentorshipDemo(a.db, TODAY)).seeded).toBe(false);
    await seedMentorshipDemo(b.db, TODAY);
    const members = (t: TestDatabase) => t.db.select().from(mentorshipMembers).orderBy(asc(mentorshipMembers.pairId), asc(mentorshipMembers.cadreId));
    expect(await members(b)).toEqual(await members(a));
    const checkins = await a.db.select({ metOn: mentorshipCheckins.metOn }).from(mentorshipCheckins);
    expect(checkins.some((c) => c.metOn < '2026-01-01')).toBe(true);
  });

  it('has pairs on track, due, overdue and unconfirmed, each mentee in one pair, shapes of every kind', async () => {
    const all = await pairSummaries(a.db, { kind: 'all' }, { today: TODAY, calendar: await loadWorkCalendar(a.db), timeZone: 'Asia/Shanghai' });
    const count = (h: string) => all.filter((p) => p.health === h).length;
    expect(count('on_track')).toBeGreaterThan(150);
    expect(count('overdue')).toBeGreaterThan(10);
    expect(count('unconfirmed')).toBeGreaterThan(5);
    expect(new Set(all.map((p) => p.shape))).toEqual(new Set(['one_to_one', 'one_to_many', 'many_to_one']));
    const mentees = all.flatMap((p) => p.mentees.map((m) => m.cadreId));
    expect(new Set(mentees).size).toBe(mentees.length);
    expect(all.some((p) => p.status === 'paused') && all.some((p) => p.status === 'ended')).toBe(true);
  });
});
