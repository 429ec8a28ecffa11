import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { cadres } from '../../db/schema/org.ts';
import { seedDemo, demoOpenId } from '../../core/demo.ts';
import { authorizeBase } from '../../web/oauth.ts';
import { seedDemoPanelUsers } from '../../core/users.ts';
import { panelUsers } from '../../db/schema/users.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel, ORIGIN } from '../helpers/panel.ts';

describe('sign in with Lark (against the sandbox)', () => {
  let t: TestDatabase;
  let panel: ReturnType<typeof buildPanel>;
  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await addUser(t.db, 'linked', 'district_admin', { larkOpenId: demoOpenId(1) });
    const holder: { app?: ReturnType<typeof buildPanel>['app'] } = {};
    panel = buildPanel(t.db, { fetch: (url, init) => Promise.resolve(holder.app!.request(url, init)) });
    holder.app = panel.app;
  });
  afterAll(() => t.drop());

  /** Walks the flow as a browser would, choosing `openId` on the authorize page. */
  async function larkSignIn(b: ReturnType<typeof browser>, openId: string, tamper?: (state: string) => string) {
    const start = await b.get('/auth/lark?next=/cadres');
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin + authorize.pathname).toBe(`${ORIGIN}/sandbox/open-apis/authen/v1/authorize`);
    expect(authorize.searchParams.get('response_type')).toBe('code');
    const page = await b.get(authorize.pathname + authorize.search);
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
      body: JSON.stringify({ grant_type: 'authorization_code', code }),
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
      body: JSON.stringify({ grant_type: 'authorization_code', code: 'made-up' }),
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
