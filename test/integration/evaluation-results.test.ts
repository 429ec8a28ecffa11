import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { seedDemo } from '../../core/demo.ts';
import { evaluationTimeline } from '../../web/pages/evaluation/timeline.ts';
import { auditLog } from '../../db/schema/audit.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { resultsReview } from '../../web/pages/evaluation/results/index.tsx';
import { buildResultsCampaign } from '../helpers/results-campaign.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel } from '../helpers/panel.ts';

async function readBook(res: Response): Promise<Record<string, string[][]>> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(await res.arrayBuffer());
  const sheets: Record<string, string[][]> = {};
  for (const sheet of book.worksheets) {
    const rows: string[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
    sheets[sheet.name] = rows;
  }
  return sheets;
}

/** The table rows of one target: its own and its alerts/flags row, up to the next target. */
function rowOf(html: string, cadreId: number): string {
  const start = html.indexOf(`<tr data-cadre="${cadreId}"`);
  if (start < 0) return '';
  const next = html.slice(start + 1).search(/<tr data-cadre=|<\/tbody>/);
  return html.slice(start, start + 1 + next);
}
const rowIds = (html: string) => [...html.matchAll(/<tr data-cadre="(\d+)"/g)].map((m) => Number(m[1]));

// The campaign and its hand-computed figures: see test/helpers/results-campaign.ts.
describe('evaluation results in the panel', () => {
  let t: TestDatabase;
  let panel: ReturnType<typeof buildPanel>;
  let admin: ReturnType<typeof browser>;
  let dongshanAdmin: ReturnType<typeof browser>;
  let viewer: ReturnType<typeof browser>;
  let partner: ReturnType<typeof browser>;
  let orgUnit: number;
  let dongshan: number;
  let leadersA: number[];
  let leadersB: number[];
  let T1: number;
  let T2: number;
  let campaignId: number;
  let lastYear: number;
  let names: Map<number, string>;

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    orgUnit = (await t.db.select().from(units).where(eq(units.name, '区委组织部')))[0]!.id;
    dongshan = (await t.db.select().from(units).where(eq(units.name, '东山街道')))[0]!.id;
    ({ leadersA, leadersB, T1, T2, campaignId, lastYear } = await buildResultsCampaign(t.db, { orgUnit, dongshan }));
    expect(leadersA).toHaveLength(4);
    expect(leadersB.length).toBeGreaterThanOrEqual(3);
    names = new Map((await t.db.select({ id: cadres.id, name: cadres.name }).from(cadres)).map((c) => [c.id, c.name]));

    await addUser(t.db, 'district', 'district_admin');
    await addUser(t.db, 'dongshan', 'unit_admin', { unitId: dongshan });
    // A viewer reads within a scope (a viewer without a unit sees nothing, campaigns included).
    await addUser(t.db, 'reader', 'viewer', { unitId: dongshan });
    await addUser(t.db, 'partner', 'partner');
    panel = buildPanel(t.db, { review: [resultsReview(t.db)], timeline: [evaluationTimeline] });
    admin = browser(panel.app, '10.9.0.1');
    dongshanAdmin = browser(panel.app, '10.9.0.2');
    viewer = browser(panel.app, '10.9.0.3');
    partner = browser(panel.app, '10.9.0.4');
    await admin.signIn('district');
    await dongshanAdmin.signIn('dongshan');
    await viewer.signIn('reader');
    await partner.signIn('partner');
  }, 120_000);
  afterAll(() => t?.drop());

  const auditRows = (entity: string, action: string) => t.db.select().from(auditLog).where(and(eq(auditLog.entity, entity), eq(auditLog.action, action)));

  it('shows the hand-computed figures in the campaign table', async () => {
    const res = await admin.get(`/evaluation/${campaignId}/results`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(rowIds(html).sort()).toEqual([...leadersA, ...leadersB].sort());
    const all = leadersA.length + leadersB.length;

    const r1 = rowOf(html, T1);
    expect(r1).toContain(names.get(T1)!);
    expect(r1).toContain('<strong>82.50</strong>');
    expect(r1).toContain('30.0%'); // 好评率
    expect(r1).toMatch(/1\/4<\/span><small class="muted pct-line"> 超过 100%/); // rank in unit
    expect(r1).toContain(`1/${all}`); // rank in district
    expect(r1).toMatch(/data-grade="excellent">3 <small class="muted pct-line">30.0%/);
    expect(r1).toMatch(/data-grade="basically_competent">4 <small class="muted pct-line">40.0%/);
    expect(r1).toContain('上级评价（100）与下级评价（60）相差 40 分');
    expect(r1).not.toContain('data-rule="excellent_competent_low"');

    const r2 = rowOf(html, T2);
    expect(r2).toContain('<strong>62.50</strong>');
    expect(r2).toContain('44.4%');
    expect(r2).toContain(`${leadersB.length}/${leadersB.length}</span><small class="muted pct-line"> 超过 0%`);
    expect(r2).toContain(`${all}/${all}`);
    expect(r2).toContain('优秀和称职票 4/9（44.44%），低于 60%');
    expect(r2).toContain('data-rule="excellent_competent_low"');
    // The rules are on the page.
    expect(html).toContain('优秀和称职票合计低于 60% 时预警');
    expect(html).toContain('不称职票超过 33.33% 时预警');
  });

  it('filters by unit and sorts, for the page, htmx and the export alike', async () => {
    const html = await (await admin.get(`/evaluation/${campaignId}/results?unit=${dongshan}&sort=overall&dir=asc`)).text();
    expect(rowIds(html)).toHaveLength(leadersB.length);
    expect(rowIds(html)[0]).toBe(T2);
    const partial = await admin.get(`/evaluation/${campaignId}/results?sort=overall&dir=desc`, { 'HX-Request': 'true', 'HX-Request-Type': 'partial' });
    const fragment = await partial.text();
    expect(fragment).not.toContain('<html');
    expect(rowIds(fragment)[0]).toBe(T1);
    expect(rowIds(fragment).at(-1)).toBe(T2);
    expect(fragment).toContain('hx-swap-oob');
    const flagged = await (await admin.get(`/evaluation/${campaignId}/results?flagged=1`)).text();
    expect(rowIds(flagged)).toContain(T1);
    expect(rowIds(flagged)).toContain(T2);
    expect(rowIds(flagged)).not.toContain(leadersA[1]);

    const res = await admin.get(`/evaluation/${campaignId}/results/export.xlsx?unit=${dongshan}&sort=overall&dir=asc`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const book = await readBook(res);
    expect(Object.keys(book)).toEqual(['汇总', '各维度', '各类评价人', '预警与提示']);
    const summary = book['汇总']!;
    expect(summary).toHaveLength(1 + leadersB.length);
    expect(summary[1]![0]).toBe(names.get(T2));
    expect(summary[1]![4]).toBe('62.5');
    expect(summary.slice(1).map((r) => r[0]).sort()).toEqual(leadersB.map((id) => names.get(id)!).sort());
    expect(book['各维度']!).toHaveLength(1 + leadersB.length);
    // T2's 上级 and 同级 are hidden on the page, so they are absent from the export too.
    const t2Categories = book['各类评价人']!.filter((r) => r[0] === names.get(T2));
    expect(t2Categories.map((r) => r[2])).toEqual(['下级']);
    expect(book['预警与提示']!.some((r) => r[0] === names.get(T2) && r[3] === '优秀和称职票 4/9（44.44%），低于 60%')).toBe(true);
    const exports = await auditRows('evaluation_results', 'export');
    expect(exports.at(-1)!.diff).toMatchObject({ filters: { unit: dongshan, sort: 'overall', dir: 'asc' }, rows: leadersB.length });
  });

  it('shows one cadre with categories, hidden small groups, charts, the curve and escaped comments', async () => {
    const res = await admin.get(`/evaluation/${campaignId}/results/${T1}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('id="chart-series"');
    expect(html).toContain('id="chart-averages"');
    expect(html).toContain('id="chart-distribution"');
    // The curve over years: 2025 80, 2026 82.5.
    const series = JSON.parse(html.match(/id="chart-series" data-chart="([^"]+)"/)![1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
    expect(series.xAxis.data).toEqual(['2025', '2026']);
    expect(series.series[0].data).toEqual([80, 82.5]);
    for (const c of ['superior', 'peer', 'subordinate']) expect(html).toContain(`data-category="${c}"`);
    expect(html).not.toContain('id="hidden-note"');
    expect(html).toContain('希望多下基层');
    expect(html).not.toContain('<script>alert("x")');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;工作很认真');

    const t2 = await (await admin.get(`/evaluation/${campaignId}/results/${T2}`)).text();
    expect(t2).toContain('data-category="subordinate"');
    expect(t2).not.toContain('data-category="peer"');
    expect(t2).not.toContain('data-category="superior"');
    expect(t2).toContain('上级、同级的票数少于 3 票');
    expect(t2).toContain('优秀和称职票 4/9（44.44%），低于 60%');

    const views = await auditRows('evaluation_result', 'view');
    expect(views.map((v) => v.entityId)).toEqual(expect.arrayContaining([`${campaignId}:${T1}`, `${campaignId}:${T2}`]));
  });

  it('prints a report with static SVG charts and no navigation', async () => {
    const res = await admin.get(`/evaluation/${campaignId}/results/${T1}/print`);
    expect(res.status).toBe(200);
    const html = await res.text();
    // Charts are SVG images drawn on the server: the curve 80 → 82.5 is in the picture itself.
    const svgs = [...html.matchAll(/<figure class="print-chart" id="([^"]+)"><img src="data:image\/svg\+xml;base64,([^"]+)"/g)].map((m) => [m[1], Buffer.from(m[2]!, 'base64').toString()]);
    expect(svgs.map(([id]) => id)).toEqual(['chart-averages', 'chart-distribution', 'chart-series']);
    const series = svgs.find(([id]) => id === 'chart-series')![1]!;
    expect(series.startsWith('<svg')).toBe(true);
    expect(series).toContain('>82.5<');
    expect(series).toContain('>2025<');
    expect(html).not.toContain('class="sidebar"');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('/static/report.css');
    const css = await (await admin.get('/static/report.css')).text();
    expect(css).toContain('size: A4');
    const unit = await (await admin.get(`/evaluation/${campaignId}/results/unit/${dongshan}/print`)).text();
    expect(unit).toMatch(/id="chart-unit"><img src="data:image\/svg\+xml;base64,/);
    expect(rowIds(unit).sort()).toEqual([...leadersB].sort());
    const printed = await auditRows('evaluation_result', 'export');
    expect(printed.some((r) => r.entityId === `${campaignId}:${T1}` && (r.diff as { format: string }).format === 'print')).toBe(true);
    expect((await auditRows('evaluation_unit_results', 'export')).length).toBe(1);
  });

  it('shows a unit with its chart and its leaders', async () => {
    const html = await (await admin.get(`/evaluation/${campaignId}/results/unit/${orgUnit}`)).text();
    expect(html).toContain('id="chart-unit"');
    expect(rowIds(html).sort()).toEqual([...leadersA].sort());
    // Unit average: (82.5 + 80 + 80 + 80) / 4 = 80.625 → 80.63.
    expect(html).toContain('80.63');
  });

  it('keeps a unit admin to their units: another unit\'s cadre is a 404', async () => {
    const html = await (await dongshanAdmin.get(`/evaluation/${campaignId}/results`)).text();
    expect(rowIds(html).sort()).toEqual([...leadersB].sort());
    expect((await dongshanAdmin.get(`/evaluation/${campaignId}/results/${T1}`)).status).toBe(404);
    expect((await dongshanAdmin.get(`/evaluation/${campaignId}/results/${T1}/print`)).status).toBe(404);
    expect((await dongshanAdmin.get(`/evaluation/${campaignId}/results/unit/${orgUnit}`)).status).toBe(404);
    expect((await dongshanAdmin.get(`/evaluation/${campaignId}/results/${T2}`)).status).toBe(200);
    const book = await readBook(await dongshanAdmin.get(`/evaluation/${campaignId}/results/export.xlsx`));
    expect(book['汇总']!.slice(1).map((r) => r[0]).sort()).toEqual(leadersB.map((id) => names.get(id)!).sort());
    // District rank is still the district's.
    expect(rowOf(html, T2)).toContain(`${leadersA.length + leadersB.length}/${leadersA.length + leadersB.length}`);
    expect((await dongshanAdmin.get('/evaluation/999999/results')).status).toBe(404);
    const denied = await auditRows('evaluation_result', 'view');
    expect(denied.some((r) => r.entityId === `${campaignId}:${T1}` && r.ip === '10.9.0.2')).toBe(false);
  });

  it('lets a viewer read but not change the rules, and refuses a partner', async () => {
    expect((await viewer.get(`/evaluation/${campaignId}/results`)).status).toBe(200);
    const html = await (await viewer.get(`/evaluation/${campaignId}/results`)).text();
    expect(html).not.toContain('name="minExcellent"');
    expect((await viewer.post(`/evaluation/${campaignId}/results/rules`, { minExcellent: '10', maxIncompetent: '90' })).status).toBe(403);
    expect((await partner.get(`/evaluation/${campaignId}/results`)).status).toBe(403);
    expect((await partner.get(`/evaluation/${campaignId}/results/export.xlsx`)).status).toBe(403);
    expect((await partner.get('/evaluation/compare')).status).toBe(403);
  });

  it('lets the department change the alert rules; bad input changes nothing', async () => {
    const bad = await admin.post(`/evaluation/${campaignId}/results/rules`, { minExcellent: '120', maxIncompetent: 'abc' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('预警比例须为 0 到 100 之间的数。');
    expect(rowOf(await (await admin.get(`/evaluation/${campaignId}/results`)).text(), T2)).toContain('data-rule="excellent_competent_low"');

    const ok = await admin.post(`/evaluation/${campaignId}/results/rules`, { minExcellent: '40', maxIncompetent: '20' });
    expect(ok.status).toBe(303);
    const html = await (await admin.get(`/evaluation/${campaignId}/results?saved=1`)).text();
    expect(html).toContain('预警规则已保存');
    expect(html).toContain('优秀和称职票合计低于 40% 时预警');
    // 44.44% is no longer below 40%; 不称职 2/9 = 22.22% is now above 20%.
    const r2 = rowOf(html, T2);
    expect(r2).not.toContain('data-rule="excellent_competent_low"');
    expect(r2).toContain('不称职票 2/9（22.22%），超过 20%');
    const changes = await auditRows('evaluation_campaign', 'update');
    expect(changes.at(-1)!.diff).toMatchObject({ alertRules: [{ minExcellentCompetentShare: 0.6 }, { minExcellentCompetentShare: 0.4, maxIncompetentShare: 0.2 }] });
    await admin.post(`/evaluation/${campaignId}/results/rules`, { minExcellent: '60', maxIncompetent: '33.3333' });
  });

  it('feeds the dashboard review list and the profile timeline', async () => {
    const dash = await (await admin.get('/')).text();
    expect(dash).toContain(`/evaluation/${campaignId}/results/${T2}`);
    expect(dash).toContain('优秀和称职票 4/9（44.44%），低于 60%');
    expect(dash).toContain(`/evaluation/${campaignId}/results/${T1}`);
    const theirs = await (await dongshanAdmin.get('/')).text();
    expect(theirs).toContain(`/evaluation/${campaignId}/results/${T2}`);
    expect(theirs).not.toContain(`/evaluation/${campaignId}/results/${T1}`);

    const profile = await (await admin.get(`/cadres/${T1}`)).text();
    expect(profile).toContain(`href="/evaluation/${campaignId}/results/${T1}"`);
    expect(profile).toContain('综合得分 82.5');
    expect(profile).toContain(`排名 1/${leadersA.length + leadersB.length}`);
    expect(profile).toContain(`href="/evaluation/${lastYear}/results/${T1}"`);
  });

  it('speaks English when asked', async () => {
    const html = await (await admin.get(`/evaluation/${campaignId}/results/${T2}`, { cookie: `${[...admin.jar].map(([k, v]) => `${k}=${v}`).join('; ')}; lang=en` })).text();
    expect(html).toContain('Ratings by rater category');
    expect(html).toContain('Superiors, Peers: fewer than 3 ballots');
  });

  it('compares the district over the years', async () => {
    const html = await (await admin.get('/evaluation/compare?kind=annual')).text();
    expect(html).toContain(`href="/evaluation/${lastYear}/results">2025`);
    expect(html).toContain(`href="/evaluation/${campaignId}/results">2026`);
    const r1 = rowOf(html, T1);
    expect(r1).toContain('80.00');
    expect(r1).toContain('82.50');
    // T2 was not evaluated in 2025.
    expect(rowOf(html, T2)).toContain('—');
    const scoped = await (await dongshanAdmin.get('/evaluation/compare?kind=annual')).text();
    expect(rowIds(scoped).sort()).toEqual([...leadersB].sort());
    const count = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from audit_log where entity = 'evaluation_comparison'`);
    expect(count[0]!.n).toBe(2);
  });
});
