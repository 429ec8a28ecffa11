/**
 * The evaluation's reminders on the shared engine: working days from the work calendar (国庆
 * 2026), absent raters paused, and the daily cap across campaigns merging the overflow into
 * one digest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, like } from 'drizzle-orm';
import { fixedClock } from '../../core/clock.ts';
import { seedDemo } from '../../core/demo.ts';
import { createCampaign, leadersOfUnits, openCampaign, proposeRaters, saveRaters, setTargets } from '../../core/evaluation/campaigns.ts';
import { sealKeyFrom } from '../../core/evaluation/seal.ts';
import { DEFAULT_REMINDER_PLAN } from '../../core/evaluation/reminders.ts';
import { nonResponders } from '../../core/evaluation/ballots.ts';
import { ensureBuiltInTemplates, latestTemplateVersion, templateIdByKey } from '../../core/evaluation/templates.ts';
import { ensureBuiltinCalendar } from '../../core/reminders/store.ts';
import { sendInvitations, sweepReminders, PURPOSE, type EvaluationJobDeps } from '../../jobs/workers/evaluation.ts';
import { outbox } from '../../db/schema/lark.ts';
import { cadreAbsences } from '../../db/schema/reminders.ts';
import { units } from '../../db/schema/org.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { memoryLogger } from '../helpers/log.ts';

const TZ = 'Asia/Shanghai';
const local = (iso: string) => new Date(`${iso}+08:00`);

describe('evaluation reminders on the reminder engine', () => {
  let t: TestDatabase;
  let versionId: number;
  let orgUnit: number;
  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltInTemplates(t.db);
    await ensureBuiltinCalendar(t.db);
    const [org] = await t.db.select().from(units).where(eq(units.name, '区委组织部'));
    orgUnit = org!.id;
    versionId = (await latestTemplateVersion(t.db, (await templateIdByKey(t.db, 'annual_assessment'))!))!.id;
  });
  afterAll(() => t.drop());

  const deps = (clock: ReturnType<typeof fixedClock>, over: Partial<EvaluationJobDeps> = {}): EvaluationJobDeps => ({
    db: t.db, clock, timeZone: TZ, sealKey: sealKeyFrom('test-secret'), publicUrl: 'https://miaopu.test', flushOutbox: async () => {}, log: memoryLogger(), ...over,
  });

  async function openOne(title: string, opensAt: string, closesAt: string, clock: ReturnType<typeof fixedClock>, plan = {}) {
    const campaign = await createCampaign(
      t.db,
      { title, kind: 'special', year: 2026, templateVersionId: versionId, opensAt: local(opensAt), closesAt: local(closesAt), unitIds: [orgUnit], reminderPlan: { ...DEFAULT_REMINDER_PLAN, ...plan } },
      null,
    );
    await setTargets(t.db, campaign.id, await leadersOfUnits(t.db, [orgUnit]), null);
    await saveRaters(t.db, campaign.id, await proposeRaters(t.db, campaign.id), null);
    await openCampaign(t.db, campaign.id, clock, null);
    await sendInvitations(deps(clock), campaign.id);
    return campaign.id;
  }

  const remindersOf = async (campaignId: number) => t.db.select().from(outbox).where(like(outbox.dedupeKey, `${PURPOSE.reminder}:${campaignId}:%`));

  it('on working days only: none on the holiday, one on the make-up Saturday', async () => {
    const clock = fixedClock(local('2026-09-30T09:00:00'));
    const id = await openOne('国庆前后的测评', '2026-09-30T09:00:00', '2026-10-12T18:00:00', clock, { skipWeekends: true, dailyAt: '10:00', lastDay: false, maxReminders: 20 });
    for (const day of ['2026-10-01', '2026-10-05', '2026-10-07']) {
      clock.set(local(`${day}T10:30:00`));
      expect((await sweepReminders(deps(clock))).reminders).toBe(0);
    }
    clock.set(local('2026-10-08T10:30:00'));
    expect((await sweepReminders(deps(clock))).reminders).toBeGreaterThan(0);
    clock.set(local('2026-10-10T10:30:00'));
    expect((await sweepReminders(deps(clock))).reminders).toBeGreaterThan(0);
    const days = new Set((await remindersOf(id)).map((r) => r.dedupeKey!.split(':').at(-1)));
    expect([...days].sort()).toEqual(['2026-10-08', '2026-10-10']);
  });

  it('pauses an absent rater and reminds them once they are back', async () => {
    const clock = fixedClock(local('2026-11-02T09:00:00'));
    const id = await openOne('请假期间的测评', '2026-11-02T09:00:00', '2026-11-20T18:00:00', clock, { dailyAt: '10:00', maxReminders: 20 });
    const [away, ...others] = await nonResponders(t.db, id);
    await t.db.insert(cadreAbsences).values({ cadreId: away!, startsOn: '2026-11-03', endsOn: '2026-11-04', kind: 'leave' });
    clock.set(local('2026-11-03T10:30:00'));
    const during = await sweepReminders(deps(clock));
    expect(during.held).toBeGreaterThanOrEqual(1);
    const sentTo = async () => new Set((await remindersOf(id)).map((r) => r.cadreId));
    expect((await sentTo()).has(away!)).toBe(false);
    expect((await sentTo()).has(others[0]!)).toBe(true);
    clock.set(local('2026-11-05T10:30:00'));
    await sweepReminders(deps(clock));
    expect((await sentTo()).has(away!)).toBe(true);
  });

  it('merges reminders over the daily cap into one digest, once a day', async () => {
    const clock = fixedClock(local('2026-12-14T09:00:00'));
    const ids = [];
    for (const n of [1, 2, 3]) ids.push(await openOne(`并行测评${n}`, '2026-12-14T09:00:00', '2026-12-25T18:00:00', clock, { dailyAt: '10:00', maxReminders: 20 }));
    // Three reminders are due for each rater; with a cap of one message a day they become one digest.
    clock.set(local('2026-12-15T10:30:00'));
    const first = await sweepReminders(deps(clock, { dailyCap: 1 }));
    expect(first.digests).toBeGreaterThan(0);
    const digests = await t.db.select().from(outbox).where(eq(outbox.purpose, 'reminders.digest'));
    expect(digests).toHaveLength(first.digests);
    expect(digests[0]!.dedupeKey).toMatch(/^reminders\.digest:ou_.*:2026-12-15$/);
    const content = JSON.stringify(digests[0]!.payload);
    for (const n of [1, 2, 3]) expect(content).toContain(`并行测评${n}`);
    // Nobody who got the digest got a separate reminder today.
    const reminded = (await Promise.all(ids.map(remindersOf))).flat().filter((r) => digests.some((d) => d.recipient === r.recipient));
    expect(reminded).toEqual([]);
    // The sweep runs again: no second digest, nothing on its own.
    const again = await sweepReminders(deps(clock, { dailyCap: 1 }));
    expect(again.digests).toBe(0);
    expect(await t.db.$count(outbox, eq(outbox.purpose, 'reminders.digest'))).toBe(first.digests);
  });
});
