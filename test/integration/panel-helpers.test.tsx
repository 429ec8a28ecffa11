import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { HTTPException } from 'hono/http-exception';
import { FEATURES } from '../../features/index.ts';
import type { Feature } from '../../features/feature.ts';
import { isDistrictAdmin } from '../../core/roles.ts';
import { panelApp } from '../../web/panel-app.ts';
import { xlsxResponse } from '../../web/download.ts';
import { redirect } from '../../web/redirect.ts';
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
      app.get('/book.xlsx', (c) => {
        const book = new ExcelJS.Workbook();
        book.addWorksheet('名单').addRow(['张三']);
        return xlsxResponse(c, { name: `测评结果-"年度"(2026)-11.xlsx`, fallback: 'results-2026.xlsx' }, book);
      });
      app.post('/save', (c) => redirect(c, '/probe?saved=1'));
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
    await addUser(t.db, 'probe-viewer', 'viewer');
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

  describe('xlsxResponse', () => {
    it('sends the workbook with a Chinese file name, an ASCII fallback, and no-store', async () => {
      const admin = browser(panel.app);
      await admin.signIn('probe-admin');
      const res = await admin.get('/probe/book.xlsx');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const disposition = res.headers.get('content-disposition')!;
      expect(disposition).toBe(
        `attachment; filename="results-2026.xlsx"; filename*=UTF-8''${encodeURIComponent('测评结果-"年度"').replace(/'/g, '%27')}%282026%29-11.xlsx`,
      );
      // What a browser names the file: filename* decoded.
      expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe('测评结果-"年度"(2026)-11.xlsx');
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(await res.arrayBuffer());
      expect(book.getWorksheet('名单')!.getCell('A1').value).toBe('张三');
    });
  });

  describe('redirect', () => {
    it('sends a plain form on with a 303, and an htmx request with HX-Location', async () => {
      const admin = browser(panel.app);
      await admin.signIn('probe-admin');
      const plain = await admin.post('/probe/save', {});
      expect(plain.status).toBe(303);
      expect(plain.headers.get('location')).toBe('/probe?saved=1');
      const htmx = await admin.post('/probe/save', {}, { 'HX-Request': 'true' });
      expect(htmx.status).toBe(200);
      expect(htmx.headers.get('hx-location')).toBe('/probe?saved=1');
      expect(htmx.headers.get('location')).toBeNull();
    });

    it('is what signing out from an htmx request answers', async () => {
      const admin = browser(panel.app);
      await admin.signIn('probe-admin');
      const res = await admin.post('/logout', {}, { 'HX-Request': 'true' });
      expect(res.headers.get('hx-location')).toBe('/login');
      expect((await admin.get('/probe')).status).toBe(302);
    });
  });
});
