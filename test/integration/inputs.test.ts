/**
 * What a tampered request gets: `next` never leads off-site; ids that are not ids answer
 * 404/422 with a message, not 500; a JSON POST from another origin is refused like a form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { seedDemo } from '../../core/demo.ts';
import { ensureBuiltInTemplates } from '../../core/evaluation/templates.ts';
import { evaluationCampaigns } from '../../db/schema/evaluation.ts';
import { units } from '../../db/schema/org.ts';
import { panelUsers } from '../../db/schema/users.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel, ORIGIN } from '../helpers/panel.ts';
import { larkHarness, VERIFICATION_TOKEN } from '../helpers/lark.ts';

/** What an attacker puts in `next` (as the server reads it after the query string's own decoding). */
const OFF_SITE = [
  '/\t/evil.example/x',
  '/\n/evil.example/x',
  '/\r\n/evil.example',
  '//evil.example/x',
  '///evil.example',
  '/\\evil.example',
  '/\\/evil.example',
  '\\\\evil.example',
  '/%2F%2Fevil.example',
  '/%2f/evil.example',
  '/%5Cevil.example',
  '/%09/evil.example/x',
  '/%252F%252Fevil.example',
  '/.//evil.example',
  'https://evil.example/x',
  'javascript:alert(1)',
];
/** Every form on the wire, plus the literal URL from the report (`%09` decoded by the server). */
const queries = [...OFF_SITE.map((n) => `next=${encodeURIComponent(n)}`), 'next=/%09/evil.example/x', 'next=%2F%2Fevil.example', 'next=/%5Cevil.example'];

describe('tampered input', () => {
  let t: TestDatabase;
  let panel: ReturnType<typeof buildPanel>;
  let linkedId: number;
  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltInTemplates(t.db);
    await addUser(t.db, 'boss', 'district_admin');
    linkedId = (await addUser(t.db, 'larker', 'district_admin', { larkOpenId: 'ou_inputs_test' })).id;
    // Lark's token and user_info answers, so the callback gets as far as its redirect.
    const fetch = async (url: string) =>
      new Response(JSON.stringify(url.includes('/oauth/token') ? { code: 0, access_token: 'u-token' } : { code: 0, data: { open_id: 'ou_inputs_test' } }), { headers: { 'content-type': 'application/json' } });
    panel = buildPanel(t.db, { fetch });
  });
  afterAll(() => t.drop());

  describe('next, on /lang/*, /login and /auth/lark', () => {
    it('/lang/* returns only to local paths', async () => {
      const b = browser(panel.app, '10.20.0.1');
      for (const q of queries) {
        const res = await b.get(`/lang/en?${q}`);
        expect(res.status, q).toBe(302);
        expect(res.headers.get('location'), q).toBe('/');
      }
      expect((await b.get(`/lang/zh?next=${encodeURIComponent('/cadres?q=1')}`)).headers.get('location')).toBe('/cadres?q=1');
    });

    it('/login returns only to local paths, after signing in and when already signed in', async () => {
      let i = 0;
      for (const q of queries) {
        const b = browser(panel.app, `10.21.0.${++i}`);
        const form = await b.get(`/login?${q}`);
        expect(form.status, q).toBe(200);
        expect(await form.text(), q).not.toContain('evil.example');
        const res = await b.post(`/login?${q}`, { username: 'boss', password: 'correct-horse' });
        expect(res.status, q).toBe(303);
        expect(res.headers.get('location'), q).toBe('/');
        const again = await b.get(`/login?${q}`);
        expect(again.status, q).toBe(302);
        expect(again.headers.get('location'), q).toBe('/');
      }
      const b = browser(panel.app, '10.21.1.1');
      expect((await b.post(`/login?next=${encodeURIComponent('/cadres?q=王')}`, { username: 'boss', password: 'correct-horse' })).headers.get('location')).toBe(`/cadres?q=${encodeURIComponent('王')}`);
    });

    it('/auth/lark keeps only a local path, and its callback returns only to one', async () => {
      const b = browser(panel.app, '10.22.0.1');
      for (const q of queries) {
        const start = await b.get(`/auth/lark?${q}`);
        expect(start.status, q).toBe(302);
        const [state, next] = decodeURIComponent(b.jar.get('miaopu_oauth')!).split('|');
        expect(decodeURIComponent(next!), q).toBe('/');
        // A state cookie carrying an off-site next (as made before this fix) still returns home.
        const raw = new URLSearchParams(q).get('next')!;
        const callback = await panel.app.request(`/auth/lark/callback?state=${state}&code=c1`, {
          headers: { cookie: `miaopu_oauth=${encodeURIComponent(`${state}|${encodeURIComponent(raw)}`)}`, 'x-forwarded-for': '10.22.0.1' },
        });
        expect(callback.status, q).toBe(302);
        expect(callback.headers.get('location'), q).toBe('/');
      }
      const start = await b.get('/auth/lark?next=/cadres');
      const [state] = decodeURIComponent(b.jar.get('miaopu_oauth')!).split('|');
      expect(start.status).toBe(302);
      const back = await b.get(`/auth/lark/callback?state=${state}&code=c2`);
      expect(back.headers.get('location')).toBe('/cadres');
      const [user] = await t.db.select().from(panelUsers).where(eq(panelUsers.id, linkedId));
      expect(user!.username).toBe('larker');
    });
  });

  describe('ids that are not ids', () => {
    it('answers a form field that is not an id with 422 and the field named, never 500', async () => {
      const admin = browser(panel.app, '10.23.0.1');
      await admin.signIn('boss');
      const campaigns = async () => (await t.db.select().from(evaluationCampaigns)).length;
      const form = {
        title: '测评', kind: 'annual', year: '2026', templateVersionId: 'abc', opensAt: '2026-11-26T08:00', closesAt: '2026-11-30T18:00',
        w_superior: '0.3', w_peer: '0.3', w_subordinate: '0.2', w_public: '0.2', dailyAt: '10:00', quietFrom: '21:00', quietTo: '08:00', maxReminders: '5',
        maxTopShare: '', minExcellentCompetent: '60', maxIncompetent: '33.3',
      };
      for (const templateVersionId of ['abc', '1e20', '99999999999']) {
        const res = await admin.post('/evaluation', { ...form, templateVersionId });
        expect(res.status, templateVersionId).toBe(422);
        expect(await res.text()).toContain('请从列表中选择问卷模板');
      }
      expect(await campaigns()).toBe(0);

      const user = await admin.post('/users', { username: 'newbie', displayName: '新人', role: 'unit_admin', unitId: 'abc' });
      expect(user.status).toBe(422);
      expect(await user.text()).toContain('“管理范围”的值无效');
      expect(await t.db.select().from(panelUsers).where(eq(panelUsers.username, 'newbie'))).toHaveLength(0);

      const unit = await admin.post('/units', { name: '新单位', kind: 'office', parentId: '1e20' }, { 'HX-Request': 'true' });
      expect(unit.status).toBe(422);
      expect(await unit.text()).toContain('“上级单位”的值无效');
      expect(await t.db.select().from(units).where(eq(units.name, '新单位'))).toHaveLength(0);

      const [someUnit] = await t.db.select().from(units).limit(1);
      const move = await admin.post(`/units/${someUnit!.id}`, { parentId: 'abc' });
      expect(move.status).toBe(422);

      const en = await admin.post('/users', { username: 'newbie', displayName: '新人', role: 'unit_admin', unitId: '12abc' }, { cookie: `${[...admin.jar].map(([k, v]) => `${k}=${v}`).join('; ')}; lang=en` });
      expect(en.status).toBe(422);
      expect(await en.text()).toContain('“Scope” has an invalid value');
    });

    it('answers a path id that is not an id with the 404 page, never 500', async () => {
      const admin = browser(panel.app, '10.23.0.2');
      await admin.signIn('boss');
      for (const path of ['/units/1e20', '/units/100000000000000000000', '/units/99999999999', '/users/99999999999', '/users/2147483648/password']) {
        const res = await admin.post(path, { name: 'x', parentId: '' });
        expect(res.status, path).toBe(404);
      }
      for (const path of ['/cadres/99999999999', '/cadres/100000000000000000000/edit', '/evaluation/99999999999', '/evaluation/templates/99999999999', '/evaluation/99999999999/results', '/evaluation/1/results/99999999999']) {
        const res = await admin.get(path);
        expect(res.status, path).toBe(404);
        expect(await res.text(), path).toMatch(/未找到|不存在/);
      }
      // Query-string ids are filters: one that is not an id is no filter.
      expect((await admin.get('/cadres?unit=100000000000000000000')).status).toBe(200);
      expect((await admin.get('/audit?actor=1e20&page=1e300')).status).toBe(200);
    });
  });

  describe('CSRF', () => {
    it('refuses a JSON POST to a panel route from another origin, or with no origin at all', async () => {
      const admin = browser(panel.app, '10.24.0.1');
      await admin.signIn('boss');
      const cookie = `miaopu_session=${admin.jar.get('miaopu_session')}`;
      const json = { 'content-type': 'application/json', cookie };
      for (const headers of [{ ...json, origin: 'https://evil.example' }, json, { ...json, origin: 'null' }, { ...json, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }]) {
        const res = await panel.app.request('/users', { method: 'POST', body: JSON.stringify({ username: 'jsonuser', displayName: 'x', role: 'district_admin' }), headers });
        expect(res.status).toBe(403);
      }
      // Any method that changes something, any content type.
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        expect((await panel.app.request('/logout', { method, headers: { cookie, origin: 'https://evil.example' } })).status).toBe(403);
      }
      expect((await panel.app.request('/logout', { method: 'POST', headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/octet-stream' }, body: 'x' })).status).toBe(403);
      expect(await t.db.select().from(panelUsers).where(eq(panelUsers.username, 'jsonuser'))).toHaveLength(0);
      expect((await admin.get('/')).status).toBe(200);
      // The panel's own pages pass: same Origin, or Sec-Fetch-Site: same-origin.
      expect((await panel.app.request('/logout', { method: 'POST', headers: { cookie, origin: ORIGIN, 'content-type': 'application/json' }, body: '{}' })).status).toBe(303);
    });

    it('leaves Lark’s own endpoints to their signature check', async () => {
      const h = larkHarness(t.db);
      const app = buildPanel(t.db).app;
      app.route('/lark', h.bot.receiver);
      for (const path of ['/lark/events', '/lark/card']) {
        // Lark posts JSON from its servers, with no Origin: the receiver answers (401: unsigned), not the CSRF check.
        const res = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ schema: '2.0', header: { event_id: 'e1', event_type: 'x' } }) });
        expect(res.status, path).toBe(401);
        expect(await res.json()).toEqual({ msg: 'unsigned event' });
      }
      const challenge = await app.request('/lark/events', { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ type: 'url_verification', challenge: 'c-1', token: VERIFICATION_TOKEN }) });
      expect(await challenge.json()).toEqual({ challenge: 'c-1' });
    });

    it('lets servers call the sandbox Lark API without a browser origin, but not post forms to it from another site', async () => {
      const token = await panel.app.request('/sandbox/open-apis/authen/v2/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'authorization_code', code: 'made-up' }),
      });
      expect(token.status).not.toBe(403);
      const forged = await panel.app.request('/sandbox/open-apis/authen/v1/authorize', {
        method: 'POST',
        headers: { origin: 'https://evil.example' },
        body: new URLSearchParams({ open_id: 'ou_x', redirect_uri: `${ORIGIN}/auth/lark/callback`, state: 's' }),
      });
      expect(forged.status).toBe(403);
    });
  });
});
