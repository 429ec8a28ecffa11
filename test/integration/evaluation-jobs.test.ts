/**
 * The evaluation jobs on a real queue (BullMQ on PostgreSQL always, on Redis when REDIS_URL is
 * set): the schedulers are upserted once however often the workers boot, a campaign opened by
 * the panel gets its invitations through the queue, and "remind me in 2 hours" is one delayed
 * job per rater and slot that still checks the rater has not voted when it fires.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { fixedClock } from '../../core/clock.ts';
import { seedDemo } from '../../core/demo.ts';
import { createCampaign, leadersOfUnits, openCampaign, proposeRaters, saveRaters, setTargets } from '../../core/evaluation/campaigns.ts';
import { sealKeyFrom } from '../../core/evaluation/seal.ts';
import { ensureBuiltInTemplates, latestTemplateVersion, templateIdByKey } from '../../core/evaluation/templates.ts';
import { createQueueKit, QUEUE } from '../../jobs/queues.ts';
import { EVALUATION_SCHEDULERS, upsertEvaluationSchedules } from '../../jobs/schedules.ts';
import { EVALUATION_QUEUE, enqueueCampaignOpened, evaluationProcessor, PURPOSE, scheduleSnooze, snoozeJobId } from '../../jobs/workers/evaluation.ts';
import { outbox } from '../../db/schema/lark.ts';
import { units } from '../../db/schema/org.ts';
import { queueBackends, testDatabase, type TestDatabase } from '../helpers/db.ts';
import { memoryLogger } from '../helpers/log.ts';
import { until } from '../helpers/wait.ts';

const TZ = 'Asia/Shanghai';
const local = (iso: string) => new Date(`${iso}+08:00`);

describe.each(queueBackends())('evaluation jobs on $name', ({ redisUrl }) => {
  let t: TestDatabase;
  let campaignId: number;
  let raters: number[];
  const clock = fixedClock(local('2026-12-01T09:30:00'));

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltInTemplates(t.db);
    const [org] = await t.db.select().from(units).where(eq(units.name, '区委组织部'));
    const versionId = (await latestTemplateVersion(t.db, (await templateIdByKey(t.db, 'political_quality'))!))!.id;
    const campaign = await createCampaign(
      t.db,
      { title: '2026年政治素质测评', kind: 'routine', year: 2026, templateVersionId: versionId, opensAt: local('2026-12-01T09:00:00'), closesAt: local('2026-12-05T18:00:00'), unitIds: [org!.id] },
      null,
    );
    campaignId = campaign.id;
    await setTargets(t.db, campaignId, await leadersOfUnits(t.db, [org!.id]), null);
    const proposal = await proposeRaters(t.db, campaignId);
    await saveRaters(t.db, campaignId, proposal, null);
    await openCampaign(t.db, campaignId, clock, null);
    raters = [...new Set(proposal.map((a) => a.cadreId))];
  });
  afterAll(() => t.drop());

  it('upserts the schedulers once, sends invitations for an opened campaign, and runs a snoozed reminder once', async () => {
    const kit = await createQueueKit({ databaseUrl: t.url, redisUrl, redisPrefix: `t${randomBytes(4).toString('hex')}` });
    const flushed: string[] = [];
    try {
      const queue = kit.queue(EVALUATION_QUEUE);
      await upsertEvaluationSchedules(queue, { timeZone: TZ, sweepEveryMs: 3_600_000, closeEveryMs: 3_600_000 });
      await upsertEvaluationSchedules(queue, { timeZone: TZ, sweepEveryMs: 3_600_000, closeEveryMs: 3_600_000 });
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual(Object.values(EVALUATION_SCHEDULERS).sort());
      expect(schedulers.find((s) => s.key === EVALUATION_SCHEDULERS.digest)).toMatchObject({ pattern: '30 17 * * *', tz: TZ });
      for (const s of schedulers) await queue.removeJobScheduler(s.key);

      kit.worker(EVALUATION_QUEUE, evaluationProcessor({ db: t.db, clock, timeZone: TZ, sealKey: sealKeyFrom('test-secret'), publicUrl: 'https://miaopu.test', flushOutbox: async (ids) => void flushed.push(...ids), log: memoryLogger() }));
      await enqueueCampaignOpened(queue, campaignId);
      const invitations = await until(async () => {
        const rows = await t.db.select().from(outbox).where(eq(outbox.purpose, PURPOSE.invitation));
        return rows.length === raters.length ? rows : undefined;
      });
      expect(flushed).toEqual(expect.arrayContaining(invitations.map((r) => r.id)));

      // Snoozed: two clicks for the same moment make one delayed job, due at the asked time.
      const at = new Date(clock.now().getTime() + 400);
      const input = { campaignId, cadreId: raters[0]!, at };
      await scheduleSnooze(queue, clock, input);
      await scheduleSnooze(queue, clock, input);
      const job = await queue.getJob(snoozeJobId({ campaignId, cadreId: raters[0]!, at: at.toISOString() }));
      expect(job?.opts.delay).toBe(400);
      const reminder = await until(async () => {
        const rows = await t.db.select().from(outbox).where(eq(outbox.purpose, PURPOSE.reminder));
        return rows.length > 0 ? rows : undefined;
      });
      expect(reminder).toHaveLength(1);
      expect(reminder[0]!.cadreId).toBe(raters[0]);
      expect(reminder[0]!.dedupeKey).toBe(`${PURPOSE.reminder}:${campaignId}:${raters[0]}:snooze-${at.getTime()}`);
    } finally {
      await kit.close(2000);
    }
  });
});
