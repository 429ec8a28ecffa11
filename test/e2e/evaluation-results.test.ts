import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { units } from '../../db/schema/org.ts';
import { seedDemo } from '../../core/demo.ts';
import { evaluationTimeline } from '../../web/pages/evaluation/timeline.ts';
import { resultsReview } from '../../web/pages/evaluation/results/index.tsx';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser } from '../helpers/panel.ts';
import { buildResultsCampaign } from '../helpers/results-campaign.ts';
import { chromiumPath, launchChromium, startPanel, type RunningPanel, openPage } from './harness.ts';

const executable = chromiumPath();
const SHOTS = fileURLToPath(new URL('../../screenshots/', import.meta.url));

describe.skipIf(!executable)('evaluation results in a real browser', () => {
  let t: TestDatabase;
  let panel: RunningPanel;
  let browser: Browser;
  let dongshan: number;
  let fixture: Awaited<ReturnType<typeof buildResultsCampaign>>;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await testDatabase();
    await seedDemo(t.db);
    const orgUnit = (await t.db.select().from(units).where(eq(units.name, '区委组织部')))[0]!.id;
    dongshan = (await t.db.select().from(units).where(eq(units.name, '东山街道')))[0]!.id;
    fixture = await buildResultsCampaign(t.db, { orgUnit, dongshan });
    await addUser(t.db, 'district', 'district_admin');
    panel = await startPanel(t.db, { review: [resultsReview(t.db)], timeline: [evaluationTimeline] });
    browser = await launchChromium(executable!);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await panel?.close();
    await t?.drop();
  });

  async function open(width = 1280): Promise<Page> {
    const page = await openPage(browser, problems, width, { acceptDownloads: true });
    await page.goto(`${panel.url}/login`);
    await page.fill('input[name=username]', 'district');
    await page.fill('input[name=password]', 'correct-horse');
    await Promise.all([page.waitForURL(`${panel.url}/`), page.click('button[type=submit]')]);
    return page;
  }

  it('filters the results, opens a cadre with drawn charts, and exports the filtered rows', async () => {
    const page = await open();
    const { campaignId, T2, leadersB } = fixture;
    await page.goto(`${panel.url}/evaluation/${campaignId}/results`);
    expect(await page.locator('#results-table tbody tr[data-cadre]').count()).toBe(fixture.leadersA.length + leadersB.length);
    await page.selectOption('#results-filters select[name=unit]', String(dongshan));
    await page.waitForURL(new RegExp(`unit=${dongshan}`));
    await page.waitForFunction((n) => document.querySelectorAll('#results-table tbody tr[data-cadre]').length === n, leadersB.length);
    await page.selectOption('#results-filters select[name=sort]', 'overall');
    await page.selectOption('#results-filters select[name=dir]', 'asc');
    await page.waitForURL(/dir=asc/);
    await page.waitForFunction((id) => document.querySelector('#results-table tbody tr[data-cadre]')?.getAttribute('data-cadre') === String(id), T2);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-link')]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile((await download.path())!);
    expect(book.getWorksheet('汇总')!.rowCount - 1).toBe(leadersB.length);

    await Promise.all([page.waitForURL(new RegExp(`/results/${T2}$`)), page.locator(`#results-table tr[data-cadre="${T2}"] .target-link`).click()]);
    for (const id of ['chart-averages', 'chart-distribution', 'chart-series']) await page.waitForSelector(`#${id}.drawn svg`);
    await expect(page.locator('#hidden-note').textContent()).resolves.toContain('上级、同级');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('takes screenshots of every results page at desktop and phone width', async () => {
    const { campaignId, T1, T2 } = fixture;
    const pages: Array<[string, string, string | null]> = [
      ['results', `/evaluation/${campaignId}/results`, null],
      ['results-cadre', `/evaluation/${campaignId}/results/${T1}`, '#chart-series.drawn svg'],
      ['results-cadre-hidden', `/evaluation/${campaignId}/results/${T2}`, '#chart-distribution.drawn svg'],
      ['results-unit', `/evaluation/${campaignId}/results/unit/${dongshan}`, '#chart-unit.drawn svg'],
      ['results-compare', '/evaluation/compare?kind=annual', '#chart-compare.drawn svg'],
      ['results-print-cadre', `/evaluation/${campaignId}/results/${T1}/print`, '#chart-series img'],
      ['results-print-unit', `/evaluation/${campaignId}/results/unit/${dongshan}/print`, '#chart-unit img'],
      ['dashboard-review', '/', null],
      ['profile-timeline', `/cadres/${T1}`, null],
    ];
    for (const width of [1280, 390]) {
      const page = await open(width);
      for (const [name, path, wait] of pages) {
        await page.goto(`${panel.url}${path}`);
        if (wait) await page.waitForSelector(wait);
        await page.screenshot({ path: `${SHOTS}${name}-${width}.png`, fullPage: true });
      }
      await page.emulateMedia({ media: 'print' });
      await page.goto(`${panel.url}/evaluation/${campaignId}/results/${T1}/print`);
      await page.screenshot({ path: `${SHOTS}results-print-media-${width}.png`, fullPage: true });
      await page.context().close();
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
