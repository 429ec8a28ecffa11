import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { cadres, units } from '../../db/schema/org.ts';
import { seedDemo } from '../../core/demo.ts';
import { createQueueKit, QUEUE, type QueueKit } from '../../jobs/queues.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser } from '../helpers/panel.ts';
import { chromiumPath, launchChromium, startPanel, type RunningPanel, openPage } from './harness.ts';

const executable = chromiumPath();
const SHOTS = fileURLToPath(new URL('../../screenshots/', import.meta.url));

describe.skipIf(!executable)('the panel in a real browser', () => {
  let t: TestDatabase;
  let panel: RunningPanel;
  let browser: Browser;
  let kit: QueueKit;
  let dongshan: number;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await testDatabase();
    await seedDemo(t.db);
    dongshan = (await t.db.select().from(units).where(eq(units.name, '东山街道')))[0]!.id;
    await addUser(t.db, 'district', 'district_admin');
    await addUser(t.db, 'dongshan', 'unit_admin', { unitId: dongshan });
    kit = await createQueueKit({ databaseUrl: t.url });
    kit.worker(QUEUE.system, async () => {
      throw new Error('demo failure: Lark answered 99991400');
    });
    await kit.queue(QUEUE.system).add('nudge', { rowId: 7 });
    panel = await startPanel(t.db, { queues: kit });
    browser = await launchChromium(executable!);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await panel?.close();
    await kit?.close(2000);
    await t?.drop();
  });

  async function open(width = 1280): Promise<Page> {
    const page = await openPage(browser, problems, width, { acceptDownloads: true });
    return page;
  }

  async function signIn(page: Page, username: string) {
    await page.goto(`${panel.url}/login`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', 'correct-horse');
    await Promise.all([page.waitForURL(`${panel.url}/`), page.click('button[type=submit]')]);
  }

  it('signs in and shows the dashboard with its chart', async () => {
    const page = await open();
    await page.goto(`${panel.url}/`);
    expect(page.url()).toContain('/login');
    await page.fill('input[name=username]', 'district');
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('button[type=submit]');
    await expect(page.locator('.alert-error').textContent()).resolves.toContain('用户名或密码不正确');
    await signIn(page, 'district');
    await expect(page.locator('.stat-value').first().textContent()).resolves.toBe('300');
    await page.waitForSelector('.chart.drawn svg');
    await page.context().close();
  });

  it('searches as you type, keeps the search in the URL, and opens a profile', async () => {
    const page = await open();
    await signIn(page, 'district');
    await page.goto(`${panel.url}/cadres`);
    const [someone] = await t.db.select().from(cadres).where(eq(cadres.id, 42));
    await page.locator('input[name=q]').pressSequentially(someone!.name, { delay: 40 });
    await page.waitForFunction(() => document.querySelectorAll('#cadre-table tbody tr').length < 20);
    const names = await page.locator('#cadre-table .cadre-link').allTextContents();
    expect(names).toContain(someone!.name);
    await page.waitForURL(/q=/);
    expect(decodeURIComponent(page.url())).toContain(`q=${someone!.name}`);
    await Promise.all([page.waitForURL(/\/cadres\/\d+$/), page.locator('#cadre-table .cadre-link', { hasText: someone!.name }).first().click()]);
    await expect(page.locator('#cadre-name').textContent()).resolves.toBe(someone!.name);
    await page.context().close();
  });

  it('filters by a select without a page load, and exports exactly that list as .xlsx', async () => {
    const page = await open();
    await signIn(page, 'district');
    await page.goto(`${panel.url}/cadres`);
    await page.selectOption('select[name=team]', 'principal');
    await page.waitForURL(/team=principal/);
    const total = Number((await page.locator('.table-foot span').first().textContent())!.match(/\d+/)![0]);
    expect(total).toBeLessThan(300);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-link')]);
    const file = await download.path();
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file!);
    expect(book.worksheets[0]!.rowCount - 1).toBe(total);
    await page.context().close();
  });

  it('edits a profile and shows a validation error inline', async () => {
    const page = await open();
    await signIn(page, 'district');
    await page.goto(`${panel.url}/cadres/42/edit`);
    await page.fill('input[name=birthDate]', '1990-02-31');
    await page.click('#edit-form button[type=submit]');
    await expect(page.locator('.field.invalid .error').first().textContent()).resolves.toContain('日期格式应为');
    await page.fill('input[name=birthDate]', '1990-02-27');
    await page.fill('input[name=position]', '综合科科长');
    await Promise.all([page.waitForURL(`${panel.url}/cadres/42`), page.click('#edit-form button[type=submit]')]);
    await expect(page.locator('.facts').textContent()).resolves.toContain('综合科科长');
    await page.context().close();
  });

  it('imports a roster with a bad row and shows the error', async () => {
    const page = await open();
    await signIn(page, 'district');
    await page.goto(`${panel.url}/import`);
    const csv = '姓名,性别,出生日期,单位,职务,职级\n,男,1990-01-01,东山街道,干事,一级科员\n郑好,女,1991-01-01,东山街道,干事,一级科员\n';
    await page.setInputFiles('input[type=file]', { name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.click('#upload-form button[type=submit]');
    await page.waitForSelector('#preview-table');
    await expect(page.locator('#preview .alert').textContent()).resolves.toContain('其中 1 行有问题');
    await expect(page.locator('.problem').first().textContent()).resolves.toBe('缺少姓名');
    expect(await page.locator('#commit-button').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}import-preview-1280.png`, fullPage: true });
    await page.setInputFiles('input[type=file]', { name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from('姓名,性别,出生日期,单位,职务,职级\n郑好,女,1991-01-01,东山街道,干事,一级科员\n') });
    await page.click('#upload-form button[type=submit]');
    await page.waitForSelector('#commit-button');
    await page.click('#commit-button');
    await expect(page.locator('#import-done').textContent()).resolves.toContain('新建 1 人');
    await page.context().close();
  });

  it('shows a unit admin only their unit, and 404 for another unit\'s cadre', async () => {
    const page = await open();
    await signIn(page, 'dongshan');
    await page.goto(`${panel.url}/cadres`);
    const own = await t.db.$count(cadres, eq(cadres.unitId, dongshan));
    await expect(page.locator('.table-foot span').first().textContent()).resolves.toBe(`共 ${own} 条`);
    const units = new Set(await page.locator('#cadre-table tbody tr td:nth-child(4)').allTextContents());
    expect([...units]).toEqual(['东山街道']);
    const [other] = await t.db.select().from(cadres).where(eq(cadres.unitId, 1)).limit(1);
    const res = await page.goto(`${panel.url}/cadres/${other!.id}`);
    expect(res!.status()).toBe(404);
    expect(await page.locator('nav.sidebar').textContent()).not.toContain('审计日志');
    await page.context().close();
  });

  it('takes a screenshot of every page at desktop and phone width, with no script or CSP errors', async () => {
    const pages = ['/', '/cadres', '/cadres/42', '/cadres/42/edit', '/units', '/import', '/audit', '/users', '/jobs'];
    for (const width of [1280, 390]) {
      const page = await open(width);
      await page.goto(`${panel.url}/login`);
      await page.screenshot({ path: `${SHOTS}login-${width}.png`, fullPage: true });
      await signIn(page, 'district');
      for (const path of pages) {
        const res = await page.goto(`${panel.url}${path}`);
        expect(res!.status(), path).toBe(200);
        if (path === '/') await page.waitForSelector('.chart.drawn svg');
        const name = path === '/' ? 'dashboard' : path.slice(1).replace(/\//g, '-');
        await page.screenshot({ path: `${SHOTS}${name}-${width}.png`, fullPage: true });
      }
      if (width === 390) {
        await page.click('.menu-button');
        await page.waitForTimeout(300);
        await page.screenshot({ path: `${SHOTS}menu-open-390.png` });
        const scrolls = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
        expect(scrolls).toBe(true);
      }
      await page.context().close();
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
