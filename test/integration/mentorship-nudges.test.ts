/**
 * The nudge sweep on a fake clock, across 清明 2026: a pair with two mentors misses its period;
 * the mentor in turn gets the card once however often the sweep runs, then the same card
 * updated in place, Lark's urgent notice on it, the unit admin's digest, the district admins;
 * two missed periods show it overdue without a second burst; a logged meeting closes the
 * ladder; the next period goes to the other mentor, never in quiet hours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, like } from 'drizzle-orm';
import { fixedClock } from '../../core/clock.ts';
import { seedDemo } from '../../core/demo.ts';
import { createPair } from '../../core/mentorship/pairs.ts';
import { pairSummaries } from '../../core/mentorship/summaries.ts';
import { markSent } from '../../core/outbox.ts';
import { ensureBuiltinCalendar, loadWorkCalendar } from '../../core/reminders/store.ts';
import { mentorshipCheckins } from '../../db/schema/mentorship.ts';
import { outbox } from '../../db/schema/lark.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { sweepNudges, type MentorshipJobDeps } from '../../jobs/workers/mentorship.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser } from '../helpers/panel.ts';
import { memoryLogger } from '../helpers/log.ts';

const TZ = 'Asia/Shanghai';

describe('mentorship nudges and the escalation ladder', () => {
  let t: TestDatabase;
  let deps: MentorshipJobDeps;
  const clock = fixedClock(new Date('2026-04-01T10:00:00+08:00'));
  let pairId: number;
  let mentorA: { id: number; openId: string };
  let mentorB: { id: number; openId: string };
  const at = (local: string) => clock.set(new Date(`${local}+08:00`));
  const rows = () => t.db.select().from(outbox).where(like(outbox.purpose, 'mentorship.%')).orderBy(outbox.createdAt, outbox.id);

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltinCalendar(t.db);
    const unitId = async (name: string) => (await t.db.select().from(units).where(eq(units.name, name)))[0]!.id;
    const dongshan = await unitId('东山街道');
    const people = (await t.db.select({ id: cadres.id, openId: cadres.larkOpenId }).from(cadres).where(eq(cadres.unitId, dongshan)).orderBy(cadres.id)).filter((c) => c.openId) as Array<{ id: number; openId: string }>;
    [mentorA, mentorB] = [people[0]!, people[1]!];
    const district = await addUser(t.db, 'district', 'district_admin', { larkOpenId: 'ou_district_admin' });
    await addUser(t.db, 'dongshan', 'unit_admin', { unitId: dongshan, larkOpenId: 'ou_dongshan_admin' });
    await addUser(t.db, 'xihe', 'unit_admin', { unitId: await unitId('西河街道'), larkOpenId: 'ou_xihe_admin' });
    const made = await createPair(t.db, { actor: district, scope: { kind: 'all' }, ip: null }, { mentorIds: [mentorA.id, mentorB.id], menteeIds: [people[2]!.id], startsOn: '2026-03-02', cadence: 'monthly', status: 'active', pauseReason: null, goals: [] }, '2026-03-02');
    pairId = (made as { id: number }).id;
    deps = { db: t.db, clock, timeZone: TZ, publicUrl: 'https://miaopu.test', flushOutbox: async () => {}, log: memoryLogger() };
  });
  afterAll(() => t.drop());

  it('sends nothing before the due day, then the card to the first mentor once, however often the sweep runs', async () => {
    expect(await sweepNudges(deps)).toEqual({ steps: 0, messages: 0 });
    at('2026-04-02T10:00:00');
    expect((await sweepNudges(deps)).messages).toBe(1);
    expect((await sweepNudges(deps)).messages).toBe(0);
    expect((await sweepNudges(deps)).messages).toBe(0);
    const [card] = await rows();
    expect(card).toMatchObject({ recipient: mentorA.openId, kind: 'send', purpose: 'mentorship.nudge' });
    expect(JSON.stringify(card!.payload)).toContain('mentorship.open');
    // The outbox worker sends it; Lark names the message.
    await markSent(t.db, card!.id, 'om_nudge_1', clock.now());
  });

  it('repeats the card in place after two working days (清明 in between), then raises the urgent notice on it', async () => {
    at('2026-04-03T10:00:00');
    expect((await sweepNudges(deps)).messages).toBe(0);
    at('2026-04-07T10:00:00');
    expect((await sweepNudges(deps)).messages).toBe(1);
    expect((await sweepNudges(deps)).messages).toBe(0);
    const patch = (await rows()).at(-1)!;
    expect(patch).toMatchObject({ kind: 'patch', larkMessageId: 'om_nudge_1', recipient: mentorA.openId });
    at('2026-04-09T10:00:00');
    await sweepNudges(deps);
    expect((await rows()).at(-1)).toMatchObject({ kind: 'urgent', larkMessageId: 'om_nudge_1', recipient: mentorA.openId });
  });

  it("tells the pair's unit admin, not another unit's, then the district admins", async () => {
    at('2026-04-10T10:00:00');
    await sweepNudges(deps);
    const unit = (await rows()).at(-1)!;
    expect(unit).toMatchObject({ recipient: 'ou_dongshan_admin', purpose: 'mentorship.unit_digest' });
    expect((await rows()).some((r) => r.recipient === 'ou_xihe_admin')).toBe(false);
    at('2026-04-16T10:00:00');
    expect((await sweepNudges(deps)).messages).toBe(0);
    at('2026-04-17T10:00:00');
    await sweepNudges(deps);
    expect((await rows()).at(-1)).toMatchObject({ recipient: 'ou_district_admin', purpose: 'mentorship.district_digest' });
    expect((await sweepNudges(deps)).messages).toBe(0);
  });

  it('shows the pair overdue after a second missed period, without sending the ladder again', async () => {
    const before = (await rows()).length;
    at('2026-05-06T10:00:00');
    const [s] = await pairSummaries(t.db, { kind: 'all' }, { today: '2026-05-06', calendar: await loadWorkCalendar(t.db), timeZone: TZ, pairIds: [pairId] });
    expect(s!.missed).toBe(2);
    expect(s!.health).toBe('overdue');
    expect((await sweepNudges(deps)).messages).toBe(0);
    expect(await rows()).toHaveLength(before);
  });

  it('closes the ladder when a meeting is logged, and the next period goes to the other mentor, outside quiet hours', async () => {
    const before = (await rows()).length;
    const [checkin] = await t.db.insert(mentorshipCheckins).values({ pairId, mentorId: mentorA.id, metOn: '2026-05-07', form: 'online', topics: '补上本期谈心' }).returning();
    at('2026-05-08T10:00:00');
    expect((await sweepNudges(deps)).messages).toBe(0);
    await t.db.update(mentorshipCheckins).set({ status: 'confirmed' }).where(eq(mentorshipCheckins.id, checkin!.id));
    // 7 June is a Sunday: the next meeting is due on Monday 8 June.
    at('2026-06-08T22:00:00');
    expect((await sweepNudges(deps)).messages).toBe(0);
    at('2026-06-09T08:30:00');
    expect((await sweepNudges(deps)).messages).toBe(1);
    const all = await rows();
    expect(all).toHaveLength(before + 1);
    expect(all.at(-1)).toMatchObject({ recipient: mentorB.openId, kind: 'send', purpose: 'mentorship.nudge' });
  });
});
