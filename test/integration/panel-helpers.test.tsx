import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTPException } from 'hono/http-exception';
import { FEATURES } from '../../features/index.ts';
import type { Feature } from '../../features/feature.ts';
import { isDistrictAdmin } from '../../core/roles.ts';
import { panelApp } from '../../web/panel-app.ts';
import { renderPage } from '../../web/render.tsx';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel } from '../helpers/panel.ts';

/** A feature whose pages are built only from the panel's shared pieces. */
const probe: Feature = {
  name: 'probe',
  build: () => ({
    routes: (panel) => {
      const app = panelApp(panel, { allow: isDistrictAdmin });
      app.get('/', (c) => renderPage(c, panel, '探针', <p id="probe-page">探针页面</p>));
      app.get('/gone', () => {
        throw new HTTPException(404, { message: '没有这一页' });
      });
      const open = panelApp(panel);
      open.get('/', (c) => c.text('任何已登录的人'));
      return [
        { path: '/probe', app },
        { path: '/probe-open', app: open },
      ];
    },
  }),
};

describe('the panel pieces every feature builds on', () => {
  let t: TestDatabase;
  let panel: ReturnType<typeof buildPanel>;
  beforeAll(async () => {
    t = await testDatabase();
    await addUser(t.db, 'probe-admin', 'district_admin');
    await addUser(t.db, 'probe-viewer', 'viewer', { unitId: undefined });
    panel = buildPanel(t.db, { features: [...FEATURES, probe] });
  });
  afterAll(() => t.drop());

  describe('panelApp', () => {
    it('sends a visitor without a session to sign in, and back afterwards', async () => {
      const res = await browser(panel.app).get('/probe');
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/login?next=%2Fprobe');
    });

    it('refuses a signed-in user without the permission with the error page', async () => {
      const viewer = browser(panel.app);
      await viewer.signIn('probe-viewer');
      const res = await viewer.get('/probe');
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('<html');
      expect((await viewer.get('/probe-open')).status).toBe(200);
    });

    it('serves the permitted, and answers errors with the panel error page', async () => {
      const admin = browser(panel.app);
      await admin.signIn('probe-admin');
      expect(await (await admin.get('/probe')).text()).toContain('probe-page');
      const gone = await admin.get('/probe/gone');
      expect(gone.status).toBe(404);
      expect(await gone.text()).toContain('没有这一页');
    });
  });
});
