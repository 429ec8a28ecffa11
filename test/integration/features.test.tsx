import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import { FEATURES } from '../../features/index.ts';
import { registerPending, startFeatureJobs } from '../../features/assemble.ts';
import type { Feature } from '../../features/feature.ts';
import { createPendingRegistry } from '../../core/pending.ts';
import { seedDemo } from '../../core/demo.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { createQueueKit, type QueueKit } from '../../jobs/queues.ts';
import { requireUser } from '../../web/auth.ts';
import { renderPage } from '../../web/render.tsx';
import type { PanelEnv } from '../../web/context.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel } from '../helpers/panel.ts';

/** A feature as small as a feature can be: a page, a menu entry, a queue with a schedule, 待办, an inbox item. */
const stub: Feature = {
  name: 'stub',
  build: () => ({
    nav: [{ key: 'stub', href: '/stub', label: () => '试点功能', roles: ['district_admin'], order: 45 }],
    routes: (panel) => {
      const app = new Hono<PanelEnv>();
      app.use('*', requireUser(panel));
      app.get('/', (c) => renderPage(c, panel, '试点功能', <p id="stub-page">试点功能的页面</p>));
      return [{ path: '/stub', app }];
    },
    jobs: {
      queue: 'stub',
      processor: async () => 'done',
      schedules: async (queue) => {
        await queue.upsertJobScheduler('stub-sweep', { every: 3_600_000 }, { name: 'stub-sweep', data: {} });
      },
    },
    pending: async (cadreId) => [{ feature: 'stub', title: `试点待办 ${cadreId}`, open: { url: '/stub' } }],
    inbox: [
      {
        label: () => '试点功能',
        list: async ({ scope }) =>
          scope.kind === 'all'
            ? [{ kind: 'note', kindLabel: '试点记录', id: '1', title: '试点记录待审阅', unit: stubUnit, submittedAt: new Date('2026-11-25T08:00:00Z'), href: '/stub', actions: ['read'] as const }]
            : [],
      },
    ],
  }),
};

let stubUnit = { id: 0, name: '' };

describe('a feature added by one line', () => {
  let t: TestDatabase;
  let kit: QueueKit;
  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await addUser(t.db, 'district', 'district_admin');
    await addUser(t.db, 'viewer', 'viewer');
    kit = await createQueueKit({ databaseUrl: t.url });
    const [unit] = await t.db.select({ id: units.id, name: units.name }).from(units).limit(1);
    stubUnit = unit!;
  });
  afterAll(async () => {
    await kit.close(2000);
    await t.drop();
  });

  it('brings its page, its menu entry, its schedule, its 待办 and its inbox item', async () => {
    const panel = buildPanel(t.db, { features: [...FEATURES, stub] });
    const admin = browser(panel.app, '10.9.0.1');
    await admin.signIn('district');
    const page = await admin.get('/stub');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('id="stub-page"');
    // In the menu, between evaluation (40) and the roster import (60).
    const menu = html.slice(html.indexOf('class="sidebar"'));
    expect(menu.indexOf('href="/stub"')).toBeGreaterThan(menu.indexOf('href="/evaluation"'));
    expect(menu.indexOf('href="/stub"')).toBeLessThan(menu.indexOf('href="/import"'));

    // Not in the menu of a role it does not name.
    const viewer = browser(panel.app, '10.9.0.2');
    await viewer.signIn('viewer');
    expect(await (await viewer.get('/')).text()).not.toContain('href="/stub"');

    const inbox = await admin.get('/review?feature=stub');
    expect(await inbox.text()).toContain('data-key="stub:note:1"');
    const marked = await admin.post('/review/act', { key: 'stub:note:1', action: 'read' }, { 'HX-Request': 'true' });
    expect(await marked.text()).toContain('已读');

    await startFeatureJobs(panel.features, kit);
    const schedulers = await kit.queue('stub').getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toContain('stub-sweep');

    const pending = createPendingRegistry();
    registerPending(panel.features, pending);
    const [cadre] = await t.db.select({ id: cadres.id }).from(cadres).where(eq(cadres.status, 'active')).limit(1);
    expect((await pending.listFor(cadre!.id)).map((i) => i.title)).toContain(`试点待办 ${cadre!.id}`);
  });

  it('without the line, none of it exists', async () => {
    const panel = buildPanel(t.db);
    const admin = browser(panel.app, '10.9.0.3');
    await admin.signIn('district');
    expect((await admin.get('/stub')).status).toBe(404);
    expect(await (await admin.get('/')).text()).not.toContain('href="/stub"');
    expect(await (await admin.get('/review')).text()).not.toContain('试点记录待审阅');
    expect(panel.features.names).toEqual(FEATURES.map((f) => f.name));
  });
});
