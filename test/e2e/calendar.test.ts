import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { cadres, units } from '../../db/schema/org.ts';
import { seedDemo } from '../../core/demo.ts';
import { ensureBuiltinCalendar } from '../../core/reminders/store.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser } from '../helpers/panel.ts';
import { chromiumPath, launchChromium, openPage, startPanel, type RunningPanel } from './harness.ts';

const executable = chromiumPath();
const SHOTS = '/tmp/shots/';

/** The first day of `month` that falls on `weekday` (0 = Sunday). */
function firstOfMonth(year: number, month: number, weekday: number): string {
  const d = new Date(Date.UTC(year, month - 1, 1));
  while (d.getUTCDay() !== weekday) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

describe.skipIf(!executable)('the work calendar and absences in a real browser', () => {
  let t: TestDatabase;
  let panel: RunningPanel;
  let browser: Browser;
  let someone: number;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltinCalendar(t.db);
    const [dongshan] = await t.db.select().from(units).where(eq(units.name, '东山街道'));
    someone = (await t.db.select({ id: cadres.id }).from(cadres).where(eq(cadres.unitId, dongshan!.id)).limit(1))[0]!.id;
    await addUser(t.db, 'district', 'district_admin');
    panel = await startPanel(t.db);
    browser = await launchChromium(executable!);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await panel?.close();
    await t?.drop();
  });

  async function signIn(page: Page) {
    await page.goto(`${panel.url}/login`);
    await page.fill('input[name=username]', 'district');
    await page.fill('input[name=password]', 'correct-horse');
    await Promise.all([page.waitForURL(`${panel.url}/`), page.click('button[type=submit]')]);
  }

  for (const width of [1280, 390]) {
    it(`opens the calendar from the nav and adds a day at ${width}px`, async () => {
      const page = await openPage(browser, problems, width);
      await signIn(page);
      if (width < 600) await page.click('.menu-button');
      await Promise.all([page.waitForURL(/\/calendar$/), page.click('.sidebar a[href="/calendar"]')]);
      await expect(page.locator('h1').textContent()).resolves.toBe('工作日历');
      expect(await page.locator('.month').count()).toBe(12);
      await page.screenshot({ path: `${SHOTS}calendar-2026-${width}.png`, fullPage: true });
      await page.locator('#calendar-year .card').first().screenshot({ path: `${SHOTS}calendar-months-${width}.png` });

      // Next year by the panel's (real) clock: its link is always there, and nothing ships for it.
      const year = new Date().getFullYear() + 1;
      await Promise.all([page.waitForURL(new RegExp(`year=${year}$`)), page.click(`.year-tabs a[href="/calendar?year=${year}"]`)]);
      if (width > 600) await expect(page.locator('#calendar-uncovered').textContent()).resolves.toContain(`${year} 年节假日安排尚未录入`);

      // A weekday make-up day is refused in place, then a Saturday is accepted.
      await page.fill('.add-day input[name=date]', firstOfMonth(year, width > 600 ? 2 : 3, 3));
      await page.selectOption('.add-day select[name=kind]', 'workday');
      await page.fill('.add-day input[name=name]', '春节');
      await page.click('.add-day button[type=submit]');
      await page.waitForSelector('.add-day .field.invalid');
      await page.screenshot({ path: `${SHOTS}calendar-refused-${width}.png`, fullPage: true });
      const saturday = firstOfMonth(year, width > 600 ? 2 : 3, 6);
      await page.fill('.add-day input[name=date]', saturday);
      await page.click('.add-day button[type=submit]');
      await page.waitForSelector(`#special-days td:text("${saturday}")`);
      await expect(page.locator(`td.day.workday[data-date="${saturday}"]`).count()).resolves.toBe(1);
      await expect(page.locator('#calendar-uncovered').count()).resolves.toBe(0);
      await page.screenshot({ path: `${SHOTS}calendar-added-${width}.png`, fullPage: true });

      // A file with a bad line is previewed with its problems and offers no confirmation.
      const csv = `date,kind,name\n${year}-01-01,休,元旦\n${year}-02-30,休,春节\n`;
      await page.setInputFiles('#import-form input[type=file]', { name: 'holidays.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.click('#import-form button[type=submit]');
      await expect(page.locator('#import-result .issues li').textContent()).resolves.toContain('第 3 行');
      await expect(page.locator('#import-confirm').count()).resolves.toBe(0);
      await page.locator('#import-form').locator('..').screenshot({ path: `${SHOTS}calendar-import-${width}.png` });
      await page.context().close();
    });
  }

  it('records an absence on a cadre profile', async () => {
    const page = await openPage(browser, problems, 1280);
    await signIn(page);
    await page.goto(`${panel.url}/cadres/${someone}`);
    await page.fill('.absence-form input[name=startsOn]', '2026-12-20');
    await page.fill('.absence-form input[name=endsOn]', '2026-12-01');
    await page.click('.absence-form button[type=submit]');
    await expect(page.locator('.absence-form .field.invalid .error').textContent()).resolves.toBe('结束日期不能早于开始日期');
    await page.locator('#absences').screenshot({ path: `${SHOTS}calendar-absence-refused-1280.png` });
    await page.fill('.absence-form input[name=startsOn]', '2026-12-01');
    await page.fill('.absence-form input[name=endsOn]', '2026-12-20');
    await page.selectOption('.absence-form select[name=kind]', 'training');
    await page.fill('.absence-form input[name=note]', '党校中青班');
    await page.click('.absence-form button[type=submit]');
    await page.waitForSelector('#absence-table td:text("党校中青班")');
    await page.screenshot({ path: `${SHOTS}calendar-absences-1280.png`, fullPage: true });
    await page.context().close();
    expect(problems).toEqual([]);
  });
});
