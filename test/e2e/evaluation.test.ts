import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { seedDemo } from '../../core/demo.ts';
import { signBallotLink } from '../../core/evaluation/ballot-link.ts';
import { sealKeyFrom } from '../../core/evaluation/seal.ts';
import { ensureBuiltInTemplates } from '../../core/evaluation/templates.ts';
import { evaluationRaters } from '../../db/schema/evaluation.ts';
import { toLocalInput } from '../../web/pages/evaluation/form.tsx';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser } from '../helpers/panel.ts';
import { chromiumPath, launchChromium, startPanel, type RunningPanel, openPage } from './harness.ts';

const executable = chromiumPath();
const SHOTS = fileURLToPath(new URL('../../screenshots/', import.meta.url));
const TZ = 'Asia/Shanghai';
const KEY = sealKeyFrom('e2e-secret');

describe.skipIf(!executable)('democratic evaluation in a real browser', () => {
  let t: TestDatabase;
  let panel: RunningPanel;
  let browser: Browser;
  let campaignUrl = '';
  let codes: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltInTemplates(t.db);
    await addUser(t.db, 'district', 'district_admin');
    panel = await startPanel(t.db, { sealKey: KEY, timeZone: TZ });
    browser = await launchChromium(executable!);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await panel?.close();
    await t?.drop();
  });

  async function open(width = 1280): Promise<Page> {
    const page = await openPage(browser, problems, width, { isMobile: width < 600, hasTouch: width < 600 });
    page.on('dialog', (d) => void d.accept());
    return page;
  }

  async function signIn(page: Page) {
    await page.goto(`${panel.url}/login`);
    await page.fill('input[name=username]', 'district');
    await page.fill('input[name=password]', 'correct-horse');
    await Promise.all([page.waitForURL(`${panel.url}/`), page.click('button[type=submit]')]);
  }

  /** Answers every item of the current target with the first level (好) and moves on. */
  async function answerAll(page: Page) {
    const items = page.locator('.ballot-item');
    const n = await items.count();
    for (let i = 0; i < n; i++) await items.nth(i).locator('label.level').first().click();
  }

  it('creates a campaign, sets targets and raters, issues codes and opens it', async () => {
    const page = await open();
    await signIn(page);
    await page.goto(`${panel.url}/evaluation`);
    await page.screenshot({ path: `${SHOTS}evaluation-empty-1280.png`, fullPage: true });
    await page.click('text=新建测评');
    await page.waitForURL(/\/evaluation\/new$/);
    await page.fill('input[name=title]', '2026年度领导班子民主测评');
    await page.fill('input[name=opensAt]', toLocalInput(new Date(Date.now() - 3600_000), TZ));
    await page.fill('input[name=closesAt]', toLocalInput(new Date(Date.now() + 36 * 3600_000), TZ));
    await page.fill('input[name=w_public]', '0.3');
    await page.click('button:has-text("新建")');
    await expect(page.locator('.alert-error').textContent()).resolves.toContain('四类权重之和须为 1');
    await page.screenshot({ path: `${SHOTS}evaluation-new-error-1280.png`, fullPage: true });
    await page.fill('input[name=w_public]', '0.2');
    await Promise.all([page.waitForURL(/\/evaluation\/\d+/), page.click('button:has-text("新建")')]);
    campaignUrl = page.url().replace(/\?.*$/, '');

    await page.locator('label.pick', { hasText: '东山街道' }).click();
    await page.locator('label.pick', { hasText: '西河街道' }).click();
    await page.click('button:has-text("按单位设置班子成员")');
    await page.waitForSelector('.target-unit');
    await page.click('button:has-text("按组织关系生成评价人")');
    await page.waitForSelector('text=份评价任务');
    await page.screenshot({ path: `${SHOTS}evaluation-draft-1280.png`, fullPage: true });

    const [sheet] = await Promise.all([page.context().waitForEvent('page'), page.click('button:has-text("生成并打印")')]);
    await sheet.waitForLoadState();
    await sheet.waitForSelector('.code-card svg');
    codes = await sheet.locator('[data-code]').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')!));
    expect(codes).toHaveLength(20);
    await sheet.screenshot({ path: `${SHOTS}evaluation-codes-1280.png`, fullPage: false });
    await sheet.close();

    await page.click('button:has-text("发布测评")');
    await page.waitForSelector('text=测评已发布');
    await page.waitForSelector('#turnout tr[data-category=public]');
    expect(await page.locator('#turnout tr[data-category=public] .meter-label').textContent()).toContain('(0/20)');
    await page.screenshot({ path: `${SHOTS}evaluation-open-1280.png`, fullPage: true });

    // A public rater on a phone, while the admin's page stays open.
    const phone = await open(390);
    await phone.goto(`${panel.url}/vote`);
    await phone.screenshot({ path: `${SHOTS}ballot-code-entry-390.png`, fullPage: true });
    await phone.fill('input[name=code]', codes[0]!.toLowerCase());
    await phone.click('button:has-text("开始填写")');
    await phone.waitForSelector('.ballot-item');
    const steps = Number((await phone.locator('.ballot-progress span').textContent())!.match(/\/ (\d+)/)![1]);
    await phone.screenshot({ path: `${SHOTS}ballot-step-390.png`, fullPage: true });
    // An incomplete step is refused in Chinese.
    await phone.click('button:has-text("下一位")');
    await expect(phone.locator('.alert-error').textContent()).resolves.toContain('请先完成');
    await phone.screenshot({ path: `${SHOTS}ballot-missing-390.png`, fullPage: false });
    for (let i = 0; i < steps; i++) {
      await answerAll(phone);
      await phone.click(i === steps - 1 ? 'button:has-text("提交问卷")' : 'button:has-text("下一位")');
      await phone.waitForLoadState();
    }
    await phone.waitForSelector('text=提交成功');
    await phone.screenshot({ path: `${SHOTS}ballot-thanks-390.png`, fullPage: true });
    await phone.goto(`${panel.url}/vote/${codes[0]}`);
    await phone.waitForSelector('text=该测评码已使用过');
    await phone.screenshot({ path: `${SHOTS}ballot-used-390.png`, fullPage: true });

    // The admin's turnout refreshes itself.
    await page.waitForFunction(() => document.querySelector('#turnout tr[data-category=public] .meter-label')?.textContent?.includes('(1/20)'), null, { timeout: 12_000 });
    await page.context().close();
    await phone.context().close();
  }, 90_000);

  it('shows the ballot link page, and takes a screenshot of every evaluation page at both widths', async () => {
    const id = Number(campaignUrl.match(/(\d+)$/)![1]);
    const [rater] = await t.db.select().from(evaluationRaters).where(and(eq(evaluationRaters.campaignId, id), eq(evaluationRaters.category, 'peer'))).limit(1);
    const token = signBallotLink(KEY, { campaignId: id, cadreId: rater!.cadreId, category: 'peer', expiresAt: new Date(Date.now() + 3600_000) });
    for (const width of [1280, 390]) {
      const page = await open(width);
      await signIn(page);
      for (const [name, path] of [['evaluation-list', '/evaluation'], ['evaluation-campaign', new URL(campaignUrl).pathname], ['evaluation-new', '/evaluation/new'], ['evaluation-templates', '/evaluation/templates'], ['evaluation-template-edit', '/evaluation/templates/1'], ['evaluation-template-new', '/evaluation/templates/new'], ['evaluation-results-sealed', `/evaluation/${id}/results`], ['ballot-link', `/ballot/${token}`], ['ballot-vote', `/vote/${codes[1]}`], ['ballot-bad-link', '/ballot/nonsense']] as const) {
        await page.goto(`${panel.url}${path}`);
        // While the campaign is open its results are sealed.
        if (name === 'evaluation-results-sealed') await page.waitForSelector('#results-sealed');
        await page.screenshot({ path: `${SHOTS}${name}-${width}.png`, fullPage: true });
      }
      await page.context().close();
    }
    expect(problems).toEqual([]);
  }, 90_000);
});
