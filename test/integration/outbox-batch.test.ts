import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createLarkApi } from '../../bot/lark.ts';
import { createSandbox, demoDirectory, SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../../bot/sandbox/index.ts';
import { systemClock } from '../../core/clock.ts';
import { demoOpenId, seedDemo } from '../../core/demo.ts';
import { addToOutbox, batchRow, outboxRows, recentBatches } from '../../core/outbox.ts';
import { createOutboxQueue } from '../../jobs/outbox.ts';
import { createQueueKit, type QueueKit } from '../../jobs/queues.ts';
import { startOutboxWorker } from '../../jobs/workers/outbox.ts';
import { testDatabase, queueBackends, type TestDatabase } from '../helpers/db.ts';
import { memoryLogger } from '../helpers/log.ts';
import { until } from '../helpers/wait.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await testDatabase();
  await seedDemo(t.db);
});
afterAll(() => t.drop());

const notice = { schema: '2.0', body: { elements: [{ tag: 'markdown', content: '年终民主测评将于下周一开始。' }] } };

for (const backend of queueBackends()) {
  describe(`batch announcements and urgent notices on ${backend.name}`, () => {
    let kit: QueueKit;
    beforeAll(async () => {
      kit = await createQueueKit({ databaseUrl: t.url, redisUrl: backend.redisUrl, redisPrefix: `miaopu-t-${randomBytes(4).toString('hex')}` });
    });
    afterAll(() => kit.close(2000));

    function harness() {
      const sandbox = createSandbox();
      sandbox.state.setDirectory(demoDirectory());
      const lark = createLarkApi({ appId: SANDBOX_APP_ID, appSecret: SANDBOX_APP_SECRET, domain: 'http://miaopu.test/sandbox', fetch: sandbox.fetch });
      const outbox = createOutboxQueue(t.db, kit.queue('outbox'));
      const start = () => startOutboxWorker(kit, { db: t.db, lark, clock: systemClock, log: memoryLogger() });
      return { sandbox, lark, outbox, start };
    }

    it('announces to 450 people in chunks of 200, once each, resuming after a failed chunk, with its progress kept', async () => {
      const h = harness();
      const people = Array.from({ length: 300 }, (_, i) => demoOpenId(i + 1));
      const strangers = Array.from({ length: 150 }, (_, i) => `ou_unknown_${i}`);
      // The second chunk fails once with a 5xx: the retry must not resend the first chunk.
      h.sandbox.state.inject({ path: '/open-apis/message/v4/batch_send/', status: 503, code: 1, msg: 'busy', skip: 1 });
      const key = `test.announce:${randomBytes(3).toString('hex')}`;
      const { worker } = await h.start();
      const id = (await h.outbox.announce({ purpose: 'test.announce', dedupeKey: key, msgType: 'interactive', payload: notice, openIds: [...people, ...people.slice(0, 10), ...strangers] }))!;
      expect(await h.outbox.announce({ purpose: 'test.announce', dedupeKey: key, msgType: 'interactive', payload: notice, openIds: people })).toBeUndefined();
      await until(async () => (await batchRow(t.db, id))?.status === 'sent', { timeoutMs: 20_000, what: 'batch sent' });
      await worker.close();

      const row = (await batchRow(t.db, id))!;
      expect(row.openIds).toHaveLength(450);
      expect(row.sentCount).toBe(450);
      expect(row.larkMessageIds).toHaveLength(3);
      // The injected 503 on the second chunk cost one attempt; the retry resumed after the first chunk.
      expect(row.attempts).toBe(1);
      expect(new Set(row.invalidOpenIds)).toEqual(new Set(strangers));
      for (const who of [people[0]!, people[150]!, people[299]!]) expect(h.sandbox.state.sentTo(who)).toHaveLength(1);
      const [listed] = (await recentBatches(t.db)).filter((b) => b.id === id);
      expect(listed).toMatchObject({ total: 450, sentCount: 450, invalid: 150, status: 'sent' });
    }, 40_000);

    it('raises an urgent notice on a message the bot sent, and fails permanently for someone it was not sent to', async () => {
      const h = harness();
      const me = demoOpenId(90);
      const sent = await h.lark.sendMessage({ receiveId: me, msgType: 'interactive', content: notice, uuid: randomBytes(8).toString('hex') });
      const urgent = (await addToOutbox(t.db, { kind: 'urgent', recipient: me, larkMessageId: sent.messageId, purpose: 'test.urgent', msgType: 'urgent', payload: {} }))!;
      const wrong = (await addToOutbox(t.db, { kind: 'urgent', recipient: demoOpenId(91), larkMessageId: sent.messageId, purpose: 'test.urgent', msgType: 'urgent', payload: {} }))!;
      const { worker } = await h.start();
      await h.outbox.flush([urgent, wrong]);
      await until(async () => (await outboxRows(t.db, [urgent, wrong])).every((r) => r.status !== 'pending'), { timeoutMs: 10_000, what: 'both done' });
      await worker.close();
      const rows = Object.fromEntries((await outboxRows(t.db, [urgent, wrong])).map((r) => [r.id, r]));
      expect(rows[urgent]!.status).toBe('sent');
      expect(rows[wrong]!.status).toBe('failed');
      expect(h.sandbox.state.messages.get(sent.messageId)!.urgent_to).toEqual([me]);
    }, 30_000);
  });
}
