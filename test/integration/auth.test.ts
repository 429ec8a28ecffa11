import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog } from '../../db/schema/audit.ts';
import { seedDemo } from '../../core/demo.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel, disableUser, ORIGIN } from '../helpers/panel.ts';

describe('panel sign-in and sessions', () => {
  let t: TestDatabase;
  let panel: ReturnType<typeof buildPanel>;
  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await addUser(t.db, 'zhang', 'district_admin');
    panel = buildPanel(t.db);
  });
  afterAll(() => t.drop());

  it('sends a visitor to the sign-in form, which has username and password fields', async () => {
    const b = browser(panel.app);
    const home = await b.get('/?from=王');
    expect(home.status).toBe(302);
    const location = new URL(home.headers.get('location')!, ORIGIN);
    expect(location.pathname).toBe('/login');
    expect(decodeURIComponent(location.searchParams.get('next')!)).toBe('/?from=王');
    const page = await b.get('/login');
    const html = await page.text();
    expect(html).toContain('name="username"');
    expect(html).toContain('name="password"');
    expect(html).toContain('method="post"');
  });

  it('signs in with the right password, shows the user, and records the sign-in', async () => {
    const b = browser(panel.app);
    const res = await b.post('/login', { username: 'zhang', password: 'correct-horse' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/miaopu_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const home = await b.get('/');
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain('zhang 用户');
    expect(html).toContain('区级管理员');
    expect(html).toContain('干部总数');
    const rows = await t.db.select().from(auditLog).where(eq(auditLog.action, 'login'));
    expect(rows.length).toBeGreaterThan(0);
  });

  it('marks the cookie Secure when the panel is served over https', async () => {
    const secure = buildPanel(t.db, { publicUrl: 'https://miaopu.example.gov.cn' });
    const res = await secure.app.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ username: 'zhang', password: 'correct-horse' }),
      headers: { origin: ORIGIN, 'x-forwarded-for': '10.9.9.9' },
    });
    expect(res.headers.get('set-cookie')).toMatch(/Secure/);
  });

  it('refuses a wrong password without saying which field was wrong', async () => {
    const b = browser(panel.app, '10.0.0.2');
    const wrongPassword = await b.post('/login', { username: 'zhang', password: 'nope-nope' });
    const unknownUser = await b.post('/login', { username: 'nobody', password: 'nope-nope' });
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    const a = await wrongPassword.text();
    const c = await unknownUser.text();
    expect(a).toContain('用户名或密码不正确');
    expect(c).toContain('用户名或密码不正确');
    expect((await b.get('/')).status).toBe(302);
  });

  it('ends the session on the server at sign-out: the old cookie no longer works', async () => {
    const b = browser(panel.app, '10.0.0.3');
    await b.signIn('zhang');
    const stolen = b.jar.get('miaopu_session')!;
    const out = await b.post('/logout', {});
    expect(out.status).toBe(303);
    const replay = await panel.app.request('/', { headers: { cookie: `miaopu_session=${stolen}` } });
    expect(replay.status).toBe(302);
  });

  it('ends sessions after the idle timeout and for disabled users', async () => {
    const user = await addUser(t.db, 'idle', 'viewer', { unitId: 1 });
    const local = buildPanel(t.db);
    const b = browser(local.app, '10.0.0.4');
    await b.signIn('idle');
    expect((await b.get('/')).status).toBe(200);
    local.clock.advance(3 * 60 * 60 * 1000);
    expect((await b.get('/')).status).toBe(302);

    await b.signIn('idle');
    await disableUser(t.db, user.id);
    expect((await b.get('/')).status).toBe(302);
    expect((await b.post('/login', { username: 'idle', password: 'correct-horse' })).status).toBe(401);
  });

  it('locks a username for 10 minutes after 5 failures, even from other addresses', async () => {
    await addUser(t.db, 'li', 'district_admin');
    const local = buildPanel(t.db);
    for (let i = 0; i < 5; i++) {
      const res = await browser(local.app, `10.1.0.${i}`).post('/login', { username: 'li', password: 'wrong-pass' });
      expect(res.status).toBe(401);
    }
    const locked = await browser(local.app, '10.1.1.1').post('/login', { username: 'li', password: 'correct-horse' });
    expect(locked.status).toBe(429);
    expect(await locked.text()).toContain('尝试次数过多');
    local.clock.advance(9 * 60 * 1000);
    expect((await browser(local.app, '10.1.1.2').post('/login', { username: 'li', password: 'correct-horse' })).status).toBe(429);
    local.clock.advance(2 * 60 * 1000);
    expect((await browser(local.app, '10.1.1.3').post('/login', { username: 'li', password: 'correct-horse' })).status).toBe(303);
  });

  it('locks an address after 5 failures, whatever username it tries', async () => {
    const local = buildPanel(t.db);
    const b = browser(local.app, '10.2.0.1');
    for (let i = 0; i < 5; i++) expect((await b.post('/login', { username: `guess${i}`, password: 'x' })).status).toBe(401);
    expect((await b.post('/login', { username: 'zhang', password: 'correct-horse' })).status).toBe(429);
    expect((await browser(local.app, '10.2.0.2').post('/login', { username: 'zhang', password: 'correct-horse' })).status).toBe(303);
  });

  it('refuses a cross-origin form post (CSRF) and changes nothing', async () => {
    const b = browser(panel.app, '10.3.0.1');
    await b.signIn('zhang');
    const token = b.jar.get('miaopu_session')!;
    const forged = await panel.app.request('/logout', {
      method: 'POST',
      body: new URLSearchParams({}),
      headers: { cookie: `miaopu_session=${token}`, origin: 'https://evil.example' },
    });
    expect(forged.status).toBe(403);
    expect((await b.get('/')).status).toBe(200);
  });

  it('sends security headers with a policy that allows only our own scripts and styles', async () => {
    const res = await panel.app.request('/login');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    const html = await res.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    expect(html).not.toMatch(/ style="/);
    expect(html).not.toMatch(/https?:\/\/(?!localhost)[a-z]/i);
  });

  it('serves htmx and the stylesheet itself, and keeps health endpoints open', async () => {
    const htmx = await panel.app.request('/static/htmx.min.js');
    expect(htmx.status).toBe(200);
    expect(htmx.headers.get('content-type')).toContain('javascript');
    expect((await htmx.text()).length).toBeGreaterThan(10_000);
    expect((await panel.app.request('/static/panel.css')).status).toBe(200);
    expect((await panel.app.request('/static/../package.json')).status).toBe(404);
    expect((await panel.app.request('/healthz')).status).toBe(200);
    expect((await panel.app.request('/readyz')).status).toBe(200);
  });

  it('switches the interface to English and back', async () => {
    const b = browser(panel.app, '10.4.0.1');
    await b.signIn('zhang');
    const sw = await b.get('/lang/en?next=/');
    expect(sw.status).toBe(302);
    const html = await (await b.get('/')).text();
    expect(html).toContain('Dashboard');
    expect(html).toContain('lang="en"');
    await b.get('/lang/zh?next=https://evil.example');
    expect(b.jar.get('lang')).toBe('zh');
  });
});
