import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { seedDemo } from '../../core/demo.ts';
import { units } from '../../db/schema/org.ts';
import { buildResultsCampaign } from '../helpers/results-campaign.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser } from '../helpers/panel.ts';
import { chromiumPath, launchChromium, openPage, startPanel, type RunningPanel } from './harness.ts';

const executable = chromiumPath();
const SHOTS = '/tmp/shots';

describe.skipIf(!executable)('the review inbox in a real browser', () => {
  let t: TestDatabase;
  let panel: RunningPanel;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await testDatabase();
    await seedDemo(t.db);
    const orgUnit = (await t.db.select().from(units).where(eq(units.name, '区委组织部')))[0]!.id;
    const dongshan = (await t.db.select().from(units).where(eq(units.name, '东山街道')))[0]!.id;
    // Two flagged targets, one in each unit: an item for each width to mark.
    await buildResultsCampaign(t.db, { orgUnit, dongshan });
    await addUser(t.db, 'district', 'district_admin');
    panel = await startPanel(t.db);
    browser = await launchChromium(executable!);
  }, 120_000);

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

  for (const [name, width] of [['desktop', 1280], ['phone', 390]] as const) {
    it(`opens 审阅 from the menu and marks an item read (${name})`, async () => {
      const page = await openPage(browser, problems, width);
      await signIn(page);
      await page.screenshot({ path: `${SHOTS}/review-${name}-dashboard.png`, fullPage: true });
      if (width < 600) await page.click('.menu-button');
      await Promise.all([page.waitForURL(`${panel.url}/review`), page.click('.sidebar a[href="/review"]')]);
      const rows = page.locator('.inbox-item:not(.done)');
      const before = await rows.count();
      expect(before).toBeGreaterThan(0);
      await page.screenshot({ path: `${SHOTS}/review-${name}.png`, fullPage: true });

      const first = rows.first();
      const key = await first.getAttribute('data-key');
      await first.locator('button[data-action=read]').click();
      const row = page.locator(`.inbox-item[data-key="${key}"]`);
      await expect(row.locator('.inbox-mark').textContent({ timeout: 5000 })).resolves.toContain('已读');
      await expect(row.getAttribute('class')).resolves.toContain('done');
      await page.screenshot({ path: `${SHOTS}/review-${name}-marked.png`, fullPage: true });

      // A comment on the next item, then the list again: the marked item has left the open list.
      const next = page.locator('.inbox-item:not(.done)').first();
      if (await next.count()) {
        const nextKey = await next.getAttribute('data-key');
        await next.locator('input[name=comment]').fill('已电话联系单位');
        await next.locator('button[data-action=comment]').click();
        await expect(page.locator(`.inbox-item[data-key="${nextKey}"] .inbox-comment`).textContent({ timeout: 5000 })).resolves.toContain('已电话联系单位');
      }
      await page.goto(`${panel.url}/review`);
      expect(await page.locator(`.inbox-item[data-key="${key}"]`).count()).toBe(0);
      expect(problems).toEqual([]);
      await page.context().close();
    }, 60_000);
  }
});
