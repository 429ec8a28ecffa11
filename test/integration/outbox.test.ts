import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { createLarkApi } from '../../bot/lark.ts';
import { createSandbox, demoDirectory, LARK_LIMITS, SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../../bot/sandbox/index.ts';
import { systemClock } from '../../core/clock.ts';
import { demoOpenId, seedDemo } from '../../core/demo.ts';
import { addToOutbox, outboxFailures, outboxRows } from '../../core/outbox.ts';
import { createOutboxQueue } from '../../jobs/outbox.ts';
import { createQueueKit, type QueueKit } from '../../jobs/queues.ts';
import { OUTBOX_RECOVER_SCHEDULER, startOutboxWorker } from '../../jobs/workers/outbox.ts';
import { testDatabase, queueBackends, type TestDatabase } from '../helpers/db.ts';
import { memoryLogger } from '../helpers/log.ts';
import { until } from '../helpers/wait.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await testDatabase();
  await seedDemo(t.db);
});
afterAll(() => t.drop());

const card = (n: number) => ({ schema: '2.0', config: { update_multi: true }, body: { elements: [{ tag: 'markdown', content: `提醒 ${n}` }] } });

const statusCounts = async () => {
  const [row] = await t.db.execute<{ sent: number; failed: number; pending: number }>(sql`
    select count(*) filter (where status = 'sent')::int as sent, count(*) filter (where status = 'failed')::int as failed,
           count(*) filter (where status = 'pending')::int as pending from outbox`);
  return row!;
};

for (const backend of queueBackends()) {
  describe(`outbox on ${backend.name}`, () => {
    let kit: QueueKit;
    beforeAll(async () => {
      kit = await createQueueKit({ databaseUrl: t.url, redisUrl: backend.redisUrl, redisPrefix: `miaopu-t-${randomBytes(4).toString('hex')}` });
    });
    afterAll(() => kit.close(2000));
    beforeEach(async () => {
      await t.db.execute(sql`truncate outbox`);
    });

    function harness() {
      const sandbox = createSandbox();
      sandbox.state.setDirectory(demoDirectory());
      const requests: string[] = [];
      const lark = createLarkApi({
        appId: SANDBOX_APP_ID,
        appSecret: SANDBOX_APP_SECRET,
        domain: 'http://miaopu.test/sandbox',
        fetch: (input, init) => {
          requests.push(String(input));
          return sandbox.fetch(input, init);
        },
      });
      const log = memoryLogger();
      const outbox = createOutboxQueue(t.db, kit.queue(QUEUE_NAME));
      const start = () => startOutboxWorker(kit, { db: t.db, lark, clock: systemClock, log });
      return { sandbox, lark, log, outbox, start, messageRequests: () => requests.filter((r) => r.includes('/im/v1/messages')).length };
    }

    it('sends 1,000 messages within Lark’s limits, each once, across a worker restart', async () => {
      const h = harness();
      h.sandbox.state.enforceLimits(LARK_LIMITS);
      const ids: string[] = [];
      for (let i = 0; i < 1000; i++) {
        // The first 20 go to one person, to meet the 5-a-second rule per recipient.
        const recipient = i < 20 ? demoOpenId(1) : demoOpenId(1 + (i % 300));
        ids.push((await addToOutbox(t.db, { recipient, purpose: 'test.fanout', msgType: 'interactive', payload: card(i) }))!);
      }
      await h.outbox.flush(ids);
      // Flushing again (as the boot-time recovery would) must not double anything.
      expect(await h.outbox.recover()).toBe(1000);

      const first = await h.start();
      await until(async () => (await statusCounts()).sent >= 500, { timeoutMs: 40_000, what: '500 sent' });
      await first.worker.close();
      const second = await h.start();
      await until(async () => (await statusCounts()).sent === 1000, { timeoutMs: 40_000, what: 'all sent' });
      await second.worker.close();

      expect(h.sandbox.state.stats.rateLimited).toBe(0);
      const delivered = [...h.sandbox.state.messages.values()].filter((m) => m.sender.type === 'app');
      expect(delivered).toHaveLength(1000);
      expect(new Set(delivered.map((m) => m.uuid))).toEqual(new Set(ids));
      const rows = await outboxRows(t.db, ids);
      expect(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.larkMessageId?.startsWith('om_'))).toBe(true);
      expect(new Set(rows.map((r) => r.larkMessageId))).toEqual(new Set(delivered.map((m) => m.message_id)));
    }, 90_000);

    it('delivers once when a worker crashed after Lark accepted the message, and patches cards in place', async () => {
      const h = harness();
      const me = demoOpenId(70);
      const id = (await addToOutbox(t.db, { recipient: me, purpose: 'test.crash', msgType: 'interactive', payload: card(1) }))!;
      // The crashed worker got this far: Lark has the message, the row still says pending.
      const before = await h.lark.sendMessage({ receiveId: me, msgType: 'interactive', content: card(1), uuid: id });
      const { worker } = await h.start();
      await h.outbox.flush([id]);
      await until(async () => (await statusCounts()).sent === 1, { timeoutMs: 10_000, what: 'sent' });
      expect(h.sandbox.state.sentTo(me)).toHaveLength(1);
      const [row] = await outboxRows(t.db, [id]);
      expect(row!.larkMessageId).toBe(before.messageId);

      const submitted = { ...card(1), header: { title: { tag: 'plain_text', content: '已提交 ✓' } } };
      const patch = (await addToOutbox(t.db, { kind: 'patch', recipient: me, larkMessageId: before.messageId, purpose: 'test.patch', msgType: 'interactive', payload: submitted }))!;
      await h.outbox.flush([patch]);
      await until(async () => (await statusCounts()).sent === 2, { timeoutMs: 10_000, what: 'patched' });
      await worker.close();
      const stored = h.sandbox.state.messages.get(before.messageId)!;
      expect(stored.updated).toBe(true);
      expect(JSON.parse(stored.content).header.title.content).toBe('已提交 ✓');
      expect(h.sandbox.state.sentTo(me)).toHaveLength(1);
    }, 30_000);

    it('sends rows whose jobs were lost when the recovery sweep runs', async () => {
      const h = harness();
      // Written and committed, but the queue never heard of it (Redis lost its data, a flush failed).
      const id = (await addToOutbox(t.db, { recipient: demoOpenId(80), purpose: 'test.lost', msgType: 'text', payload: { text: '你好' } }))!;
      const { worker, queue } = await h.start();
      try {
        // What the every-5-minutes scheduler does when it fires.
        await queue.add(OUTBOX_RECOVER_SCHEDULER, { id: '' });
        await until(async () => (await statusCounts()).sent === 1, { timeoutMs: 10_000, what: 'the lost row sent' });
      } finally {
        await worker.close();
      }
      expect(h.sandbox.state.sentTo(demoOpenId(80)).map((m) => m.uuid)).toEqual([id]);
    }, 30_000);

    it('pauses for the reset time on a 429 and then delivers', async () => {
      const h = harness();
      h.sandbox.state.inject({ path: '/open-apis/im/v1/messages', status: 429, code: 99991400, headers: { 'x-ogw-ratelimit-reset': '2' } });
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await addToOutbox(t.db, { recipient: demoOpenId(40 + i), purpose: 'test.429', msgType: 'text', payload: { text: `第${i}条` } }))!);
      const started = Date.now();
      const { worker } = await h.start();
      await h.outbox.flush(ids);
      await until(async () => (await statusCounts()).sent === 5, { timeoutMs: 15_000, what: 'all sent' });
      const elapsed = Date.now() - started;
      await worker.close();
      expect(elapsed).toBeGreaterThanOrEqual(1900);
      // One refused call, then each message once: no hammering while paused.
      expect(h.messageRequests()).toBeLessThanOrEqual(5 + 1 + 4);
      expect(h.sandbox.state.sentTo(demoOpenId(40))).toHaveLength(1);
      expect(h.log.lines.some((l) => l.msg === 'Lark rate limit: pausing the outbox')).toBe(true);
    }, 30_000);

    it('stops at once on a permanent failure and shows it to admins; retries a transient one', async () => {
      const h = harness();
      h.sandbox.state.users.get(demoOpenId(60))!.visible = false;
      const hidden = (await addToOutbox(t.db, { recipient: demoOpenId(60), purpose: 'test.permanent', msgType: 'text', payload: { text: '你好' } }))!;
      const unknown = (await addToOutbox(t.db, { recipient: 'ou_not_in_directory', purpose: 'test.permanent', msgType: 'text', payload: { text: '你好' } }))!;
      h.sandbox.state.inject({ path: '/open-apis/im/v1/messages', status: 503, code: 1, msg: 'try later' });
      const { worker } = await h.start();
      await h.outbox.flush([hidden, unknown]);
      await until(async () => (await statusCounts()).failed === 2, { timeoutMs: 10_000, what: 'two failures' });
      const flaky = (await addToOutbox(t.db, { recipient: demoOpenId(61), purpose: 'test.transient', msgType: 'text', payload: { text: '你好' } }))!;
      await h.outbox.flush([flaky]);
      await until(async () => (await statusCounts()).sent === 1, { timeoutMs: 10_000, what: 'the transient one sent' });
      await new Promise((r) => setTimeout(r, 1500));
      await worker.close();

      const failures = await outboxFailures(t.db);
      expect(failures.map((f) => f.id).sort()).toEqual([hidden, unknown].sort());
      const byId = Object.fromEntries(failures.map((f) => [f.id, f]));
      expect(byId[hidden]!.lastError).toMatch(/230013/);
      expect(byId[unknown]!.lastError).toMatch(/230001/);
      // Not retried: one attempt each (the injected 503 fell on one of them or on the third).
      expect(failures.reduce((n, f) => n + f.attempts, 0)).toBeLessThanOrEqual(3);
      const [row] = await outboxRows(t.db, [flaky]);
      expect(row!.status).toBe('sent');
    }, 30_000);
  });
}

const QUEUE_NAME = 'outbox' as const;
