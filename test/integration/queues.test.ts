import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.ts';
import { lastHeartbeats } from '../../core/health.ts';
import { createQueueKit, QUEUE, QueueUnreachableError } from '../../jobs/queues.ts';
import { ABSENCE_SYNC_SCHEDULER, HEARTBEAT_SCHEDULER, upsertSchedules } from '../../jobs/schedules.ts';
import { systemProcessor } from '../../jobs/workers/system.ts';
import { queueBackends, testDatabase, type TestDatabase } from '../helpers/db.ts';
import { until } from '../helpers/wait.ts';

describe.each(queueBackends())('job queues on $name', ({ name, redisUrl }) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await testDatabase();
  });
  afterAll(() => t.drop());

  it('runs the heartbeat scheduler and records when it ran', async () => {
    const kit = await createQueueKit({ databaseUrl: t.url, redisUrl, redisPrefix: `t${randomBytes(4).toString('hex')}` });
    try {
      expect(kit.backend).toBe(name);
      await kit.ping();
      const system = kit.queue(QUEUE.system);
      kit.worker(QUEUE.system, systemProcessor({ db: t.db, clock: systemClock }));
      await upsertSchedules(system, { timeZone: 'Asia/Shanghai', heartbeatEveryMs: 300 });
      // Upserting again at the next boot leaves one of each scheduler, not two.
      await upsertSchedules(system, { timeZone: 'Asia/Shanghai', heartbeatEveryMs: 300 });
      expect((await system.getJobSchedulers()).map((s) => s.key).sort()).toEqual([ABSENCE_SYNC_SCHEDULER, HEARTBEAT_SCHEDULER].sort());

      const first = await until(async () => (await lastHeartbeats(t.db))[HEARTBEAT_SCHEDULER]);
      const later = await until(async () => {
        const at = (await lastHeartbeats(t.db))[HEARTBEAT_SCHEDULER];
        return at && at > first ? at : undefined;
      });
      expect(new Date(later).getTime()).toBeGreaterThan(new Date(first).getTime());
    } finally {
      // On the PostgreSQL backend the schedulers live in the test's database: leave none behind.
      const system = kit.queue(QUEUE.system);
      for (const id of [HEARTBEAT_SCHEDULER, ABSENCE_SYNC_SCHEDULER]) await system.removeJobScheduler(id);
      await kit.close(2000);
    }
  });

  it('keeps a failed query\'s parameters out of a failed job\'s reason and stack', async () => {
    const kit = await createQueueKit({ databaseUrl: t.url, redisUrl, redisPrefix: `t${randomBytes(4).toString('hex')}` });
    try {
      const queue = kit.queue(QUEUE.system);
      // A real failed query whose parameters are personal data (an invalid date in a cadre's record).
      kit.worker(QUEUE.system, async () => {
        await t.db.execute(sql`select ${'张三丰'}::text as name, ${'13800138000'}::text as mobile, ${'1990-02-30'}::date as born`);
      });
      const job = await queue.add('fails', {}, { attempts: 1 });
      const failed = await until(async () => {
        const j = await queue.getJob(job.id!);
        return j?.failedReason ? j : undefined;
      });
      const kept = `${failed.failedReason}\n${(failed.stacktrace ?? []).join('\n')}`;
      expect(failed.failedReason).toContain('Failed query: select');
      for (const personal of ['张三丰', '13800138000', '1990-02-30']) expect(kept).not.toContain(personal);
    } finally {
      await kit.close(2000);
    }
  });

  it('lets a running job finish on close, but never waits past the grace period', async () => {
    const kit = await createQueueKit({ databaseUrl: t.url, redisUrl, redisPrefix: `t${randomBytes(4).toString('hex')}` });
    const finished: string[] = [];
    const queue = kit.queue<{ ms: number }>(QUEUE.system);
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    kit.worker<{ ms: number }>(QUEUE.system, async (job) => {
      started();
      await new Promise((r) => setTimeout(r, job.data.ms));
      finished.push(job.name);
    });
    await queue.add('short', { ms: 400 });
    await running;
    const before = Date.now();
    await kit.close(5000);
    expect(finished).toEqual(['short']);
    expect(Date.now() - before).toBeLessThan(5000);

    const stuck = await createQueueKit({ databaseUrl: t.url, redisUrl, redisPrefix: `t${randomBytes(4).toString('hex')}` });
    let stuckStarted!: () => void;
    const stuckRunning = new Promise<void>((r) => (stuckStarted = r));
    stuck.worker(QUEUE.system, async () => {
      stuckStarted();
      await new Promise((r) => setTimeout(r, 60_000));
    });
    await stuck.queue(QUEUE.system).add('endless', {});
    await stuckRunning;
    const closing = Date.now();
    await stuck.close(1000);
    expect(Date.now() - closing).toBeLessThan(4000);
  });
});

describe('job queue start-up errors', () => {
  it('names Redis when it refuses, within seconds', async () => {
    const started = Date.now();
    const error = await createQueueKit({ databaseUrl: 'postgres://unused', redisUrl: 'redis://127.0.0.1:1' }).catch((e) => e);
    expect(error).toBeInstanceOf(QueueUnreachableError);
    expect(error.message).toMatch(/Cannot reach Redis at 127\.0\.0\.1:1.*REDIS_URL \(ECONNREFUSED\)/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
