/**
 * Sign-in throttling under concurrency and behind a load balancer: the attempt is counted
 * before the password is checked, atomically, by username and by client address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type ServerType } from '@hono/node-server';
import { like, sql } from 'drizzle-orm';
import { loginFailures } from '../../db/schema/sessions.ts';
import { freePort } from '../../db/embedded.ts';
import type { TrustProxy } from '../../config.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel, ORIGIN } from '../helpers/panel.ts';

const statuses = (responses: Response[]) => responses.map((r) => r.status).sort();
const count = (list: number[], status: number) => list.filter((s) => s === status).length;

describe('sign-in throttling', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await testDatabase();
    for (const name of ['wang', 'zhao', 'sun', 'qian']) await addUser(t.db, name, 'district_admin');
  });
  afterAll(() => t.drop());

  it('lets 30 concurrent wrong passwords for one username from one address reach at most 5 password checks', async () => {
    const { app } = buildPanel(t.db);
    const b = browser(app, '10.30.0.1');
    const answers = await Promise.all(Array.from({ length: 30 }, () => b.post('/login', { username: 'wang', password: 'wrong-password' })));
    const list = statuses(answers);
    // 401 is the answer after a password check; 429 is the answer without one.
    expect(count(list, 401)).toBe(5);
    expect(count(list, 429)).toBe(25);
    const texts = await Promise.all(answers.map((r) => r.text()));
    expect(texts.filter((h) => h.includes('用户名或密码不正确'))).toHaveLength(5);
    expect(texts.filter((h) => h.includes('尝试次数过多'))).toHaveLength(25);
    const [recorded] = await t.db.select({ n: sql<number>`count(*)::int` }).from(loginFailures).where(like(loginFailures.key, 'user:wang'));
    expect(recorded!.n).toBe(5);
    expect((await b.post('/login', { username: 'wang', password: 'correct-horse' })).status).toBe(429);
  });

  it('holds the username limit when the 30 guesses come from 30 addresses, and the address limit for 30 usernames', async () => {
    const { app } = buildPanel(t.db);
    const spread = await Promise.all(Array.from({ length: 30 }, (_, i) => browser(app, `10.31.0.${i + 1}`).post('/login', { username: 'zhao', password: 'wrong-password' })));
    expect(count(statuses(spread), 401)).toBe(5);
    expect(count(statuses(spread), 429)).toBe(25);

    const one = browser(app, '10.31.1.1');
    const many = await Promise.all(Array.from({ length: 30 }, (_, i) => one.post('/login', { username: `nobody${i}`, password: 'wrong-password' })));
    expect(count(statuses(many), 401)).toBe(5);
    expect(count(statuses(many), 429)).toBe(25);
    // A username lock does not lock other users; an address lock does not lock others' addresses.
    expect((await browser(app, '10.31.2.1').post('/login', { username: 'sun', password: 'correct-horse' })).status).toBe(303);
    expect((await browser(app, '10.31.2.2').post('/login', { username: 'nobody0', password: 'x' })).status).toBe(401);
  });

  it('does not count a correct password against the limit', async () => {
    const { app } = buildPanel(t.db);
    const b = browser(app, '10.32.0.1');
    for (let i = 0; i < 8; i++) expect((await b.post('/login', { username: 'qian', password: 'correct-horse' })).status).toBe(303);
    const concurrent = await Promise.all(Array.from({ length: 4 }, () => browser(app, '10.32.0.2').post('/login', { username: 'qian', password: 'correct-horse' })));
    expect(statuses(concurrent)).toEqual([303, 303, 303, 303]);
    const [left] = await t.db.select({ n: sql<number>`count(*)::int` }).from(loginFailures).where(like(loginFailures.key, 'user:qian'));
    expect(left!.n).toBe(0);
  });

  describe('behind a load balancer (a real socket)', () => {
    const servers: ServerType[] = [];
    afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

    /** Serves the panel on a port, as Miaopu does; every request comes from 127.0.0.1, the "balancer". */
    async function listen(trustProxy: TrustProxy) {
      const { app } = buildPanel(t.db, { trustProxy });
      const port = await freePort();
      await new Promise<void>((resolve) => servers.push(serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve())));
      return (client: string, username: string, password: string) =>
        fetch(`http://127.0.0.1:${port}/login`, {
          method: 'POST',
          redirect: 'manual',
          body: new URLSearchParams({ username, password }),
          // What the balancer forwards: whatever the client sent, then the address it saw.
          headers: { origin: ORIGIN, 'x-forwarded-for': client },
        });
    }

    it('without TRUST_PROXY, sees every client as the balancer: five failures from one lock out the next', async () => {
      const post = await listen({ kind: 'none' });
      for (let i = 0; i < 5; i++) expect((await post('203.0.113.1', `stranger${i}`, 'x')).status).toBe(401);
      expect((await post('203.0.113.2', 'sun', 'correct-horse')).status).toBe(429);
      await t.db.delete(loginFailures);
    });

    it('with TRUST_PROXY, throttles each forwarded client on its own, and a spoofed entry does not help', async () => {
      for (const trust of [{ kind: 'hops', hops: 1 }, { kind: 'list', ranges: ['127.0.0.0/8'] }] satisfies TrustProxy[]) {
        await t.db.delete(loginFailures);
        const post = await listen(trust);
        // The attacker writes its own X-Forwarded-For entry each time; the balancer appends the real one.
        for (let i = 0; i < 5; i++) expect((await post(`198.51.100.${i}, 203.0.113.1`, `stranger${i}`, 'x')).status).toBe(401);
        expect((await post('198.51.100.99, 203.0.113.1', 'sun', 'correct-horse')).status).toBe(429);
        // Another client behind the same balancer signs in.
        expect((await post('203.0.113.2', 'sun', 'correct-horse')).status).toBe(303);
      }
      const [row] = await t.db.select({ key: loginFailures.key }).from(loginFailures).where(like(loginFailures.key, 'ip:%')).limit(1);
      expect(row!.key).toBe('ip:203.0.113.1');
    });
  });
});
