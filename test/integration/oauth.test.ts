import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { cadres } from '../../db/schema/org.ts';
import { seedDemo, demoOpenId } from '../../core/demo.ts';
import { authorizeBase } from '../../web/oauth.ts';
import { seedDemoPanelUsers } from '../../core/users.ts';
import { panelUsers } from '../../db/schema/users.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel, ORIGIN } from '../helpers/panel.ts';
import { SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../../bot/sandbox/index.ts';
import { auditLog } from '../../db/schema/audit.ts';

/** What main.ts prints as the sandbox access secret (the served sandbox app's secret). */
const ACCESS_SECRET = 'printed-at-start-3mZq8kPw';

describe('sign in with Lark (against the sandbox)', () => {
  let t: TestDatabase;
  let panel: ReturnType<typeof buildPanel>;
  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await addUser(t.db, 'linked', 'district_admin', { larkOpenId: demoOpenId(1) });
    const holder: { app?: ReturnType<typeof buildPanel>['app'] } = {};
    panel = buildPanel(t.db, {
      fetch: (url, init) => Promise.resolve(holder.app!.request(url, init)),
      lark: { domain: `${ORIGIN}/sandbox`, appId: SANDBOX_APP_ID, appSecret: ACCESS_SECRET },
    });
    holder.app = panel.app;
  });
  afterAll(() => t.drop());

  /** Walks the flow as a browser would: the access secret if asked for, then `openId` on the authorize page. */
  async function larkSignIn(b: ReturnType<typeof browser>, openId: string, tamper?: (state: string) => string) {
    const start = await b.get('/auth/lark?next=/cadres');
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin + authorize.pathname).toBe(`${ORIGIN}/sandbox/open-apis/authen/v1/authorize`);
    expect(authorize.searchParams.get('response_type')).toBe('code');
    let page = await b.get(authorize.pathname + authorize.search);
    if (page.status === 401) {
      const unlocked = await b.post('/sandbox/access', {
        secret: ACCESS_SECRET,
        client_id: authorize.searchParams.get('client_id')!,
        redirect_uri: authorize.searchParams.get('redirect_uri')!,
        state: authorize.searchParams.get('state')!,
      });
      expect(unlocked.status).toBe(303);
      expect(unlocked.headers.get('location')).toBe(authorize.pathname + authorize.search);
      page = await b.get(unlocked.headers.get('location')!);
    }
    expect(page.status).toBe(200);
    const state = authorize.searchParams.get('state')!;
    const picked = await b.post('/sandbox/open-apis/authen/v1/authorize', {
      open_id: openId,
      redirect_uri: authorize.searchParams.get('redirect_uri')!,
      state: tamper ? tamper(state) : state,
    });
    expect(picked.status).toBe(302);
    const callback = new URL(picked.headers.get('location')!);
    return { page: await page.text(), callback: await b.get(callback.pathname + callback.search), code: callback.searchParams.get('code')! };
  }

  it('signs in the panel user linked to the chosen Lark account and returns to the page asked for', async () => {
    const b = browser(panel.app, '10.9.0.1');
    const { page, callback, code } = await larkSignIn(b, demoOpenId(1));
    expect(page).toContain('linked 用户');
    const reused = await panel.app.request('/sandbox/open-apis/authen/v2/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'authorization_code', code, client_id: SANDBOX_APP_ID, client_secret: ACCESS_SECRET }),
    });
    expect(reused.status).toBe(400);
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/cadres');
    const home = await (await b.get('/')).text();
    expect(home).toContain('linked 用户');
  });

  it('refuses a Lark account that no panel user is linked to', async () => {
    const [cadre] = await t.db.select().from(cadres).where(eq(cadres.larkOpenId, demoOpenId(2)));
    const b = browser(panel.app, '10.9.0.2');
    const { page, callback } = await larkSignIn(b, demoOpenId(2));
    expect(page).toContain(cadre!.name);
    expect(callback.headers.get('location')).toBe('/login?error=unlinked');
    expect((await b.get('/')).status).toBe(302);
    expect(await (await b.get('/login?error=unlinked')).text()).toContain('未关联面板用户');
  });

  it('refuses a callback whose state does not match, and an unknown code', async () => {
    const b = browser(panel.app, '10.9.0.3');
    const { callback } = await larkSignIn(b, demoOpenId(1), (s) => `${s.slice(0, -1)}x`);
    expect(callback.headers.get('location')).toBe('/login?error=lark');
    expect((await b.get('/')).status).toBe(302);

    const token = await panel.app.request('/sandbox/open-apis/authen/v2/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'authorization_code', code: 'made-up', client_id: SANDBOX_APP_ID, client_secret: ACCESS_SECRET }),
    });
    expect(token.status).toBe(400);
    expect(await token.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('seeds demo panel users linked to demo cadres, who sign in with Lark in the sandbox', async () => {
    expect(await seedDemoPanelUsers(t.db)).toBe(2);
    expect(await seedDemoPanelUsers(t.db)).toBe(0);
    const [unitAdmin] = await t.db.select().from(panelUsers).where(eq(panelUsers.username, 'demo-dongshan'));
    expect(unitAdmin!.role).toBe('unit_admin');
    const b = browser(panel.app, '10.9.0.4');
    const { page, callback } = await larkSignIn(b, unitAdmin!.larkOpenId!);
    expect(page).toContain('demo-dongshan');
    expect(callback.headers.get('location')).toBe('/cadres');
    const html = await (await b.get('/cadres')).text();
    expect(html).toContain(`共 ${await t.db.$count(cadres, eq(cadres.unitId, unitAdmin!.unitId!))} 条`);
  });

  describe('the sandbox authorize page (a password-free sign-in as anyone)', () => {
    const query = `client_id=${SANDBOX_APP_ID}&redirect_uri=${encodeURIComponent(`${ORIGIN}/auth/lark/callback`)}&response_type=code&state=s1`;
    const authorizePath = `/sandbox/open-apis/authen/v1/authorize?${query}`;
    const form = { client_id: SANDBOX_APP_ID, redirect_uri: `${ORIGIN}/auth/lark/callback`, state: 's1' };

    it('is locked for an anonymous visitor: no people listed, no code for a pick', async () => {
      const b = browser(panel.app, '10.9.1.1');
      const page = await b.get(authorizePath);
      expect(page.status).toBe(401);
      const html = await page.text();
      expect(html).toContain('沙箱访问密钥');
      expect(html).toContain(`/login?next=${encodeURIComponent(authorizePath)}`.replace(/&/g, '&amp;'));
      expect(html).not.toContain('linked 用户');
      const [cadre] = await t.db.select().from(cadres).where(eq(cadres.larkOpenId, demoOpenId(2)));
      expect(html).not.toContain(cadre!.name);
      // Posting a pick directly (the old hole) signs nobody in.
      const picked = await b.post('/sandbox/open-apis/authen/v1/authorize', { ...form, open_id: demoOpenId(1) });
      expect(picked.status).toBe(401);
      expect(picked.headers.get('location')).toBeNull();
    });

    it('stays locked with a wrong secret or the old fixed one', async () => {
      const b = browser(panel.app, '10.9.1.2');
      for (const secret of ['wrong', SANDBOX_APP_SECRET, '']) {
        const res = await b.post('/sandbox/access', { ...form, secret });
        expect(res.status).toBe(401);
        expect(await res.text()).toContain('沙箱访问密钥不正确');
      }
      expect((await b.get(authorizePath)).status).toBe(401);
    });

    it('stays locked for a signed-in unit admin, and opens for a signed-in district admin', async () => {
      const [unit] = await t.db.select({ id: cadres.unitId }).from(cadres).limit(1);
      await addUser(t.db, 'unitadm', 'unit_admin', { unitId: unit!.id });
      await addUser(t.db, 'distadm', 'district_admin');
      const unitAdmin = browser(panel.app, '10.9.1.3');
      await unitAdmin.signIn('unitadm');
      expect((await unitAdmin.get(authorizePath)).status).toBe(401);
      expect((await unitAdmin.post('/sandbox/open-apis/authen/v1/authorize', { ...form, open_id: demoOpenId(1) })).status).toBe(401);

      const districtAdmin = browser(panel.app, '10.9.1.4');
      await districtAdmin.signIn('distadm');
      const page = await districtAdmin.get(authorizePath);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('linked 用户');
      const picked = await districtAdmin.post('/sandbox/open-apis/authen/v1/authorize', { ...form, open_id: demoOpenId(1) });
      expect(picked.status).toBe(302);
      expect(new URL(picked.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    });

    it('exchanges a code only for the app that knows the secret', async () => {
      const b = browser(panel.app, '10.9.1.5');
      await b.post('/sandbox/access', { ...form, secret: ACCESS_SECRET });
      const picked = await b.post('/sandbox/open-apis/authen/v1/authorize', { ...form, open_id: demoOpenId(1) });
      const code = new URL(picked.headers.get('location')!).searchParams.get('code')!;
      const exchange = (body: Record<string, string>) =>
        panel.app.request('/sandbox/open-apis/authen/v2/oauth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'authorization_code', code, ...body }) });
      const wrong: Array<Record<string, string>> = [{}, { client_id: SANDBOX_APP_ID, client_secret: SANDBOX_APP_SECRET }, { client_id: 'cli_other', client_secret: ACCESS_SECRET }];
      for (const creds of wrong) {
        const refused = await exchange(creds);
        expect(refused.status).toBe(401);
        expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
      }
      const granted = await exchange({ client_id: SANDBOX_APP_ID, client_secret: ACCESS_SECRET });
      expect(granted.status).toBe(200);
      expect(await granted.json()).toMatchObject({ code: 0, access_token: expect.stringMatching(/^u-/) });
    });

    it('with the printed secret, signs in and records the sign-in as via Lark', async () => {
      const b = browser(panel.app, '10.9.1.6');
      const { callback } = await larkSignIn(b, demoOpenId(1));
      expect(callback.headers.get('location')).toBe('/cadres');
      const rows = await t.db.select().from(auditLog).where(eq(auditLog.action, 'login'));
      expect(rows.some((r) => (r.diff as { via?: string } | null)?.via === 'lark' && r.ip === '10.9.1.6')).toBe(true);
    });
  });

  it('will not redirect to another site from the sandbox authorize page', async () => {
    const res = await panel.app.request('/sandbox/open-apis/authen/v1/authorize?client_id=x&redirect_uri=https://evil.example/cb&state=s');
    expect(res.status).toBe(400);
  });

  it('knows where Lark and Feishu serve their authorize page', () => {
    expect(authorizeBase('https://open.feishu.cn')).toBe('https://accounts.feishu.cn');
    expect(authorizeBase('https://open.larksuite.com')).toBe('https://accounts.larksuite.com');
    expect(authorizeBase('http://127.0.0.1:3000/sandbox')).toBe('http://127.0.0.1:3000/sandbox');
  });
});
