import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.ts';
import { recordHeartbeat } from '../../core/health.ts';
import { connect } from '../../db/client.ts';
import { createApp } from '../../web/app.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { memoryLogger } from '../helpers/log.ts';

describe('health endpoints', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await testDatabase();
  });
  afterAll(() => t.drop());

  const app = (overrides: Partial<Parameters<typeof createApp>[0]> = {}) =>
    createApp({ db: t.db, log: memoryLogger(), pingQueue: async () => {}, queueBackend: 'postgres', ...overrides });

  it('/healthz answers while the process is up', async () => {
    const res = await app().request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is ready and shows when the heartbeat last ran', async () => {
    await recordHeartbeat(t.db, 'heartbeat', fixedClock('2026-11-25T08:00:00Z'));
    const res = await app().request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', heartbeats: { heartbeat: '2026-11-25T08:00:00.000Z' } });
  });

  it('/readyz answers 503 naming the queue when the queue backend is down', async () => {
    const res = await app({ pingQueue: () => Promise.reject(new Error('ECONNREFUSED')) }).request('/readyz');
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.status).toBe('unavailable');
    // The part that fails, never the reason (error texts, hosts) to an anonymous caller.
    expect(body.problems).toEqual(['queue']);
    expect(JSON.stringify(body)).not.toContain('ECONNREFUSED');
  });

  it('/readyz answers 503 naming the database when it cannot be reached', async () => {
    const dead = connect('postgres://nobody@127.0.0.1:1/none', { max: 1 });
    const res = await app({ db: dead.db }).request('/readyz');
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ status: 'unavailable', problems: ['database'] });
    for (const internal of ['127.0.0.1', 'ECONNREFUSED', 'nobody', 'connect', 'none']) expect(text).not.toContain(internal);
    await dead.sql.end();
  });
});
