import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.ts';
import { addBatch, addToOutbox, batchRow, markFailed, recordBatchChunk } from '../../core/outbox.ts';
import { cadres } from '../../db/schema/org.ts';
import { seedDemo } from '../../core/demo.ts';
import { createQueueKit, QUEUE, type QueueKit } from '../../jobs/queues.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { queueBackends } from '../helpers/db.ts';
import { addUser, browser, buildPanel } from '../helpers/panel.ts';
import { until } from '../helpers/wait.ts';

describe.each(queueBackends())('jobs page on $name', (backend) => {
  let t: TestDatabase;
  let kit: QueueKit;
  let admin: ReturnType<typeof browser>;
  let attempts = 0;
  beforeAll(async () => {
    t = await testDatabase();
    kit = await createQueueKit({ databaseUrl: t.url, redisUrl: backend.redisUrl, redisPrefix: `test-${randomBytes(4).toString('hex')}` });
    await addUser(t.db, 'district', 'district_admin');
    const panel = buildPanel(t.db, { queues: kit });
    admin = browser(panel.app, '10.4.4.1');
    await admin.signIn('district');
    kit.worker(QUEUE.system, async () => {
      attempts++;
      if (attempts === 1) throw new Error('lark said 99991400: too many requests');
      return 'ok';
    });
  });
  afterAll(async () => {
    await kit.close(2000);
    await t.drop();
  });

  it('shows a failed job with its error and retries it', async () => {
    const queue = kit.queue(QUEUE.system);
    const job = await queue.add('nudge', { rowId: 1 });
    await until(async () => (await queue.getJobCounts('failed')).failed === 1);
    const html = await (await admin.get('/jobs')).text();
    expect(html).toContain('lark said 99991400: too many requests');
    expect(html).toContain(`nudge#${job.id}`);
    expect(html).toMatch(/class="num failed-count">1</);

    const retried = await admin.post(`/jobs/system/${job.id}/retry`, {}, { 'HX-Request': 'true' });
    expect(retried.status).toBe(200);
    expect(await retried.text()).toContain('已重新排队');
    await until(async () => (await queue.getJobCounts('completed')).completed === 1);
    const after = await (await admin.get('/jobs')).text();
    expect(after).toContain('没有失败的任务');
  });

  it('lists Lark messages that could not be delivered, with the person’s name', async () => {
    await seedDemo(t.db);
    const [cadre] = await t.db.select({ id: cadres.id, name: cadres.name, openId: cadres.larkOpenId }).from(cadres).limit(1);
    const id = await addToOutbox(t.db, { recipient: cadre!.openId!, cadreId: cadre!.id, purpose: 'evaluation.reminder', msgType: 'text', payload: { text: 'x' } });
    await markFailed(t.db, id!, 'permanent: 230013 bot is not visible to the user', fixedClock('2026-11-25T08:00:00Z'));
    const html = await (await admin.get('/jobs')).text();
    const section = html.slice(html.indexOf('id="undeliverable"'));
    expect(section).toContain(cadre!.name);
    expect(section).toContain('evaluation.reminder');
    expect(section).toContain('230013 bot is not visible to the user');
  });

  it('shows how far a batch announcement has got', async () => {
    const clock = fixedClock('2026-11-25T08:00:00Z');
    const openIds = Array.from({ length: 450 }, (_, i) => `ou_batch_${i}`);
    const id = (await addBatch(t.db, { purpose: 'evaluation.announcement', msgType: 'text', payload: { text: 'x' }, openIds }))!;
    await recordBatchChunk(t.db, (await batchRow(t.db, id))!, { sentCount: 200, messageId: 'bm-1', invalidOpenIds: ['ou_batch_3'] }, clock);
    const html = await (await admin.get('/jobs')).text();
    const section = html.slice(html.indexOf('id="batches"'));
    expect(section).toContain('evaluation.announcement');
    expect(section).toContain('200 / 450 人');
    expect(section).toContain('1 人未送达');
    expect(section).toContain('发送中');
  });

  it('refuses to retry a job that has not failed', async () => {
    const res = await admin.post('/jobs/system/no-such-job/retry', {});
    expect(res.status).toBe(422);
  });
});
