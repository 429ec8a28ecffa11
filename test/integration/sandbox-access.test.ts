/**
 * The Lark sandbox as main.ts serves it (the panel, the Lark layer and the sandbox on one app), as
 * someone else on the network would try it: its Open Platform API, its sign-in page and the chat
 * simulator are for district admins and holders of the access secret printed at start, and
 * acting as a cadre is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { loadConfig } from '../../config.ts';
import { createLarkLayer, type LarkLayer } from '../../bot/setup.ts';
import { createLarkApi } from '../../bot/lark.ts';
import { SANDBOX_APP_ID, SANDBOX_APP_SECRET, sandboxAppSecret } from '../../bot/sandbox/index.ts';
import { systemClock } from '../../core/clock.ts';
import { createPendingRegistry } from '../../core/pending.ts';
import { demoOpenId, seedDemo } from '../../core/demo.ts';
import { auditLog } from '../../db/schema/audit.ts';
import { cadres } from '../../db/schema/org.ts';
import { panelUsers } from '../../db/schema/users.ts';
import { createApp } from '../../web/app.ts';
import { simulatorAccess } from '../../web/sandbox.tsx';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { memoryLogger } from '../helpers/log.ts';
import { addUser, browser, ORIGIN } from '../helpers/panel.ts';

let t: TestDatabase;
let app: ReturnType<typeof createApp>;
let lark: LarkLayer;
let unitId: number;

beforeAll(async () => {
  t = await testDatabase();
  await seedDemo(t.db);
  const [cadre] = await t.db.select({ unitId: cadres.unitId }).from(cadres).where(eq(cadres.larkOpenId, demoOpenId(5)));
  unitId = cadre!.unitId;
  await addUser(t.db, 'district', 'district_admin');
  await addUser(t.db, 'unitadmin', 'unit_admin', { unitId });
  await addUser(t.db, 'partner', 'partner');

  // As main.ts wires it, with nothing configured (the demo), except that HTTP stays in-process.
  const config = loadConfig({ PUBLIC_URL: ORIGIN });
  const log = memoryLogger();
  const clock = systemClock;
  const inProcess = (input: string | URL | Request, init?: RequestInit) => Promise.resolve(app.request(input instanceof Request ? input : String(input), init));
  lark = createLarkLayer({ config, db: t.db, log, pending: createPendingRegistry(log), flushOutbox: async () => {}, simulator: simulatorAccess({ db: t.db, clock, trustProxy: { kind: 'hops', hops: 1 } }), larkFetch: inProcess });
  app = createApp({
    db: t.db,
    log,
    pingQueue: async () => {},
    queueBackend: 'postgres',
    panel: { clock, publicUrl: config.publicUrl, sandbox: true, lark: lark.oauthClient, fetch: inProcess, trustProxy: { kind: 'hops', hops: 1 } },
  });
  app.route('/', lark.routes);
});
afterAll(() => t.drop());

const tokenRequest = (credentials: { app_id: string; app_secret: string }) =>
  app.request('/sandbox/open-apis/auth/v3/tenant_access_token/internal', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });

describe('the sandbox Open Platform API', () => {
  it('refuses a tenant token for the old fixed credentials, so an anonymous client cannot read the directory or send', async () => {
    const res = await tokenRequest({ app_id: SANDBOX_APP_ID, app_secret: SANDBOX_APP_SECRET });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 10014 });
    expect((await app.request('/sandbox/open-apis/contact/v3/users/find_by_department?department_id=0')).status).toBe(400);
    const send = await app.request('/sandbox/open-apis/im/v1/messages?receive_id_type=open_id', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t-guessed' },
      body: JSON.stringify({ receive_id: demoOpenId(5), msg_type: 'text', content: JSON.stringify({ text: '领取补贴' }) }),
    });
    expect(send.status).toBe(400);
    expect(lark.sandbox!.state.messages.size).toBe(0);
  });

  it('has a secret made at start (not the fixed one), and the SDK client it was given works', async () => {
    const secret = lark.sandbox!.state.appSecret;
    expect(secret).not.toBe(SANDBOX_APP_SECRET);
    expect(secret).toMatch(/^[a-zA-Z2-9]{24}$/);
    expect(lark.oauthClient).toEqual({ domain: `${ORIGIN}/sandbox`, appId: SANDBOX_APP_ID, appSecret: secret });
    expect((await tokenRequest({ app_id: SANDBOX_APP_ID, app_secret: secret })).status).toBe(200);
    expect(await lark.api.botOpenId()).toBe(lark.sandbox!.state.botOpenId);
    const { messageId } = await lark.api.sendMessage({ receiveId: demoOpenId(5), msgType: 'text', content: { text: '你好' } });
    expect(lark.sandbox!.state.messages.get(messageId)?.open_id).toBe(demoOpenId(5));
  });

  it('makes a new secret per start, or one derived from BALLOT_SEAL_SECRET that split processes share', () => {
    expect(sandboxAppSecret()).not.toBe(sandboxAppSecret());
    const seal = 'a-ballot-seal-secret-of-forty-characters!';
    expect(sandboxAppSecret(seal)).toBe(sandboxAppSecret(seal));
    expect(sandboxAppSecret(seal)).not.toContain(seal.slice(0, 8));
    expect(sandboxAppSecret(seal)).not.toBe(sandboxAppSecret(`${seal}x`));
  });
});

describe('"Sign in with Lark" in the demo', () => {
  it('asks an anonymous visitor for the access secret, and signs in with the printed one', async () => {
    const b = browser(app, '10.7.0.1');
    const start = await b.get('/auth/lark?next=/');
    const authorize = new URL(start.headers.get('location')!);
    const locked = await b.get(authorize.pathname + authorize.search);
    expect(locked.status).toBe(401);
    expect(await locked.text()).not.toContain('演示干部');
    const unlocked = await b.post('/sandbox/access', {
      secret: lark.sandbox!.state.appSecret,
      client_id: authorize.searchParams.get('client_id')!,
      redirect_uri: authorize.searchParams.get('redirect_uri')!,
      state: authorize.searchParams.get('state')!,
    });
    expect(unlocked.status).toBe(303);
    const page = await b.get(unlocked.headers.get('location')!);
    expect(page.status).toBe(200);
    const html = await page.text();
    // The demo's Lark-linked panel users (seeded by main.ts) are not in this database; a cadre is.
    expect(html).toContain('演示干部');
    const picked = await b.post('/sandbox/open-apis/authen/v1/authorize', {
      open_id: demoOpenId(5),
      redirect_uri: authorize.searchParams.get('redirect_uri')!,
      state: authorize.searchParams.get('state')!,
    });
    const callback = new URL(picked.headers.get('location')!);
    // The exchange (with the app's secret, as main.ts passes it) worked: the cadre is just not a panel user.
    expect((await b.get(callback.pathname + callback.search)).headers.get('location')).toBe('/login?error=unlinked');
  });
});

describe('the chat simulator', () => {
  const me = demoOpenId(5);

  it('sends an anonymous visitor to sign in', async () => {
    const res = await browser(app).get('/sandbox/chat');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login?next=%2Fsandbox%2Fchat');
    expect((await browser(app).post(`/sandbox/chat/u/${me}/send`, { text: '帮助' })).status).toBe(401);
  });

  it('refuses a unit admin and a partner with a page in their language, and lets nothing through', async () => {
    const before = lark.sandbox!.state.messages.size;
    for (const username of ['unitadmin', 'partner']) {
      const b = browser(app, '10.7.0.2');
      await b.signIn(username);
      const page = await b.get('/sandbox/chat');
      expect(page.status).toBe(403);
      const html = await page.text();
      expect(html).toContain('对话模拟器仅限区级管理员使用');
      expect(html).toContain('<!doctype html>');
      expect((await b.get(`/sandbox/chat/u/${me}/messages`)).status).toBe(403);
      expect((await b.post(`/sandbox/chat/u/${me}/send`, { text: '帮助' })).status).toBe(403);
      // Nor does the menu offer it.
      expect(await (await b.get('/')).text()).not.toContain('href="/sandbox/chat"');

      b.jar.set('lang', 'en');
      expect(await (await b.get('/sandbox/chat')).text()).toContain('The chat simulator is for district admins only');
    }
    expect(lark.sandbox!.state.messages.size).toBe(before);
    expect(await t.db.$count(auditLog, eq(auditLog.action, 'sandbox.impersonate'))).toBe(0);
  });

  it('lets a district admin act as a cadre, and audits each message and card action once', async () => {
    const b = browser(app, '10.7.0.3');
    await b.signIn('district');
    const [admin] = await t.db.select().from(panelUsers).where(eq(panelUsers.username, 'district'));
    expect((await b.get('/')).status).toBe(200);
    expect(await (await b.get('/')).text()).toContain('href="/sandbox/chat"');
    expect((await b.get('/sandbox/chat')).status).toBe(200);
    expect((await b.get(`/sandbox/chat/u/${me}`)).status).toBe(200);

    const sent = await b.post(`/sandbox/chat/u/${me}/send`, { text: '帮助' });
    expect(sent.status).toBe(303);
    expect(decodeURIComponent(sent.headers.get('location')!)).not.toContain('HTTP');
    // Polling the conversation (every 1.5 s in the page) is not an act.
    for (let i = 0; i < 3; i++) expect((await b.get(`/sandbox/chat/u/${me}/messages`)).status).toBe(200);

    const card = { schema: '2.0', body: { elements: [{ tag: 'button', text: { tag: 'plain_text', content: '刷新' }, behaviors: [{ type: 'callback', value: { action: 'todo.refresh' } }] }] } };
    const { messageId } = await lark.api.sendMessage({ receiveId: me, msgType: 'interactive', content: card });
    const html = await (await b.get(`/sandbox/chat/u/${me}/messages`)).text();
    const payload = /name="__action" value="([^"]+)"/.exec(html)![1]!.replace(/&quot;/g, '"');
    const clicked = await b.post(`/sandbox/chat/u/${me}/action`, { __message: messageId, __action: payload });
    expect(clicked.status).toBe(303);

    const [cadre] = await t.db.select({ id: cadres.id }).from(cadres).where(eq(cadres.larkOpenId, me));
    const rows = await t.db.select().from(auditLog).where(eq(auditLog.action, 'sandbox.impersonate')).orderBy(auditLog.id);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({ actorId: admin!.id, entity: 'cadre', entityId: String(cadre!.id), ip: '10.7.0.3' });
    }
    expect(rows.map((r) => r.diff)).toEqual([
      { openId: me, kind: 'message' },
      { openId: me, kind: 'card_action', action: 'todo.refresh' },
    ]);
    expect(await t.db.$count(auditLog, and(eq(auditLog.action, 'sandbox.impersonate'), eq(auditLog.entity, 'cadre')))).toBe(2);
  });
});
