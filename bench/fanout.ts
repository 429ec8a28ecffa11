/**
 * Reminder fan-out: 3,000 personal messages through the outbox (rows, BullMQ jobs, the outbox
 * worker, the real SDK) to the sandbox enforcing Lark's limits (50 in any sliding second,
 * 1,000 in any sliding minute, 5 a second per recipient). Reports the achieved rate against the
 * best rate those limits allow for 3,000 messages, the 429s (aim 0) and duplicates (aim 0).
 *
 *   node --import tsx bench/fanout.ts     (BENCH_DATABASE_URL or DATABASE_URL, else embedded;
 *                                          REDIS_URL to run the queue on Redis; takes ~2.5 min)
 */
import { writeFile } from 'node:fs/promises';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { createLarkApi } from '../bot/lark.ts';
import { createSandbox, demoDirectory, LARK_LIMITS, SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../bot/sandbox/index.ts';
import { systemClock } from '../core/clock.ts';
import { demoOpenId } from '../core/demo.ts';
import { addToOutbox } from '../core/outbox.ts';
import { createOutboxQueue } from '../jobs/outbox.ts';
import { createQueueKit, QUEUE } from '../jobs/queues.ts';
import { startOutboxWorker } from '../jobs/workers/outbox.ts';
import { benchDatabase } from './db.ts';

const MESSAGES = Number(process.env.FANOUT_MESSAGES ?? 3000);
const quiet = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet };

/** The earliest time (ms after the first send) a perfect sender could finish n sends. */
function idealMs(n: number, limits = LARK_LIMITS): number {
  const t: number[] = [];
  for (let k = 0; k < n; k++) t.push(Math.max(k >= limits.perSecond ? t[k - limits.perSecond]! + 1000 : 0, k >= limits.perMinute ? t[k - limits.perMinute]! + 60_000 : 0));
  return t[n - 1]!;
}

function bucket(offsets: number[], width: number): number[] {
  const counts: number[] = [];
  for (const o of offsets) counts[Math.floor(o / width)] = (counts[Math.floor(o / width)] ?? 0) + 1;
  return Array.from(counts, (c) => c ?? 0);
}

const database = await benchDatabase();
const kit = await createQueueKit({ databaseUrl: database.url, redisUrl: process.env.REDIS_URL, redisPrefix: `miaopu-bench-${process.pid}` });
try {
  // The sandbox over real HTTP on loopback, as in the demo.
  const sandbox = createSandbox();
  sandbox.state.setDirectory(demoDirectory());
  sandbox.state.enforceLimits(LARK_LIMITS);
  const server = await new Promise<{ url: string; close: () => void }>((resolve) => {
    const s = serve({ fetch: new Hono().route('/sandbox', sandbox.api).fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => s.close() }),
    );
  });
  const lark = createLarkApi({ appId: SANDBOX_APP_ID, appSecret: SANDBOX_APP_SECRET, domain: `${server.url}/sandbox` });

  const ids: string[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const card = { schema: '2.0', config: { update_multi: true }, header: { title: { tag: 'plain_text', content: '测评提醒' } }, body: { elements: [{ tag: 'markdown', content: `请在本周内完成测评（${i}）` }] } };
    ids.push((await addToOutbox(database.db, { recipient: demoOpenId(1 + (i % 300)), purpose: 'bench.fanout', dedupeKey: `bench:${i}`, msgType: 'interactive', payload: card }))!);
  }
  const outbox = createOutboxQueue(database.db, kit.queue(QUEUE.outbox));
  await outbox.flush(ids);
  process.stdout.write(`Fan-out: ${MESSAGES} messages queued on ${kit.backend}; sending to the sandbox with Lark's limits enforced...\n`);

  const started = performance.now();
  const { worker } = await startOutboxWorker(kit, { db: database.db, lark, clock: systemClock, log: quiet });
  let sent = 0;
  while (sent < MESSAGES) {
    await new Promise((r) => setTimeout(r, 500));
    const [row] = await database.db.execute<{ sent: number; failed: number }>(sql`select count(*) filter (where status = 'sent')::int as sent, count(*) filter (where status = 'failed')::int as failed from outbox`);
    sent = row!.sent;
    if (row!.failed > 0) throw new Error(`${row!.failed} messages failed`);
    if (performance.now() - started > 400_000) throw new Error('fan-out did not finish within 400 s');
  }
  const delivered = [...sandbox.state.messages.values()].filter((m) => m.sender.type === 'app');
  const first = Math.min(...delivered.map((m) => m.create_time));
  const last = Math.max(...delivered.map((m) => m.create_time));
  await worker.close();
  server.close();

  const perUuid = new Map<string, number>();
  for (const m of delivered) perUuid.set(m.uuid!, (perUuid.get(m.uuid!) ?? 0) + 1);
  const duplicates = [...perUuid.values()].reduce((n, c) => n + (c - 1), 0) + (delivered.length - perUuid.size);
  // Rates over the span from the first to the last message Lark accepted.
  const spanMs = last - first;
  const ideal = idealMs(MESSAGES);
  const achieved = (MESSAGES - 1) / (spanMs / 1000);
  const ceiling = (MESSAGES - 1) / (ideal / 1000);
  const result = {
    at: new Date().toISOString(),
    backend: kit.backend,
    messages: MESSAGES,
    delivered: delivered.length,
    figure: { name: 'sends/s achieved', value: Math.round(achieved * 100) / 100, spanMs },
    ceiling: { name: "best sends/s Lark's limits allow for this many messages (50/s sliding, 1,000/min sliding)", value: Math.round(ceiling * 100) / 100, spanMs: ideal },
    ratio: Math.round((achieved / ceiling) * 1000) / 1000,
    rateLimited429: sandbox.state.stats.rateLimited,
    duplicates,
    wallClockMs: Math.round(performance.now() - started),
    /** Messages Lark accepted in each 10 s from the first: where time went, if the ratio is low. */
    per10s: bucket(delivered.map((m) => m.create_time - first), 10_000),
  };
  process.stdout.write(
    `\nFan-out: ${result.figure.value} sends/s over ${(spanMs / 1000).toFixed(1)} s   ceiling: ${result.ceiling.value}/s (${(ideal / 1000).toFixed(1)} s)   ratio ${result.ratio}\n` +
      `         429s: ${result.rateLimited429}   duplicates: ${duplicates}   delivered: ${delivered.length}/${MESSAGES}\n` +
      `         accepted per 10 s: ${result.per10s.join(' ')}\n`,
  );
  await writeFile(new URL('./results/fanout.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await kit.close(2000);
  await database.drop();
}
