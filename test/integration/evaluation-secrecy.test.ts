/**
 * Ballot secrecy while a campaign is open: slips reach the box only in groups of five per target
 * and category (or all at closing), sealed while they wait; results stay sealed for every role
 * and in every form (page, fragment, export, print, comparison, timeline) until closing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { fixedClock } from '../../core/clock.ts';
import { seedDemo } from '../../core/demo.ts';
import { castBallot, type TargetAnswers } from '../../core/evaluation/ballots.ts';
import { BOX_BATCH } from '../../core/evaluation/ballot-box.ts';
import { closeCampaign, createCampaign, leadersOfUnits, openCampaign, proposeRaters, saveRaters, setTargets, type RaterAssignment } from '../../core/evaluation/campaigns.ts';
import { evaluationTimeline } from '../../web/pages/evaluation/timeline.ts';
import { campaignResults, cadreSeries, targetComments } from '../../core/evaluation/results.ts';
import { sealKeyFrom, SLIP_BLOCK } from '../../core/evaluation/seal.ts';
import { ensureBuiltInTemplates, latestTemplateVersion, POLITICAL_QUALITY, templateIdByKey, templateItems } from '../../core/evaluation/templates.ts';
import { auditLog } from '../../db/schema/audit.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { resultsReview } from '../../web/pages/evaluation/results/index.tsx';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel, TEST_SEAL_KEY } from '../helpers/panel.ts';

const ITEMS = templateItems(POLITICAL_QUALITY).map((i) => i.key);
const answers = (targetIds: number[], level: string, comment: string | null = null): TargetAnswers[] =>
  targetIds.map((targetId) => ({ targetId, levels: Object.fromEntries(ITEMS.map((k) => [k, level])), comment }));

describe('ballot secrecy while a campaign is open', () => {
  let t: TestDatabase;
  let campaignId: number;
  let orgUnit: number;
  let dongshan: number;
  let leadersA: number[];
  let leadersB: number[];
  /** Subordinates of 区委组织部 (rate its leaders) and of 东山街道 (rate theirs). */
  let subsA: RaterAssignment[];
  let subsB: RaterAssignment[];
  let panel: ReturnType<typeof buildPanel>;
  let admin: ReturnType<typeof browser>;
  let unitAdmin: ReturnType<typeof browser>;
  let viewer: ReturnType<typeof browser>;
  const clock = fixedClock('2026-12-02T02:00:00Z');
  const n = async (table: string, where = sql``) => (await t.db.execute<{ n: number }>(sql`select count(*)::int as n from ${sql.raw(table)} ${where}`))[0]!.n;
  const vote = async (p: RaterAssignment, level: string, comment: string | null = null) => {
    const r = await castBallot(t.db, { campaignId, raterCadreId: p.cadreId, category: p.category, clock, sealKey: TEST_SEAL_KEY, answers: answers(p.targetIds, level, comment) });
    expect(r.outcome).toBe('accepted');
  };

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltInTemplates(t.db);
    orgUnit = (await t.db.select().from(units).where(eq(units.name, '区委组织部')))[0]!.id;
    dongshan = (await t.db.select().from(units).where(eq(units.name, '东山街道')))[0]!.id;
    const version = await latestTemplateVersion(t.db, (await templateIdByKey(t.db, 'political_quality'))!);
    const campaign = await createCampaign(t.db, { title: '2026年度政治素质测评', kind: 'annual', year: 2026, templateVersionId: version!.id, unitIds: [orgUnit, dongshan], opensAt: new Date('2026-12-01T00:00:00Z'), closesAt: new Date('2026-12-10T00:00:00Z') }, null);
    campaignId = campaign.id;
    leadersA = await leadersOfUnits(t.db, [orgUnit]);
    leadersB = await leadersOfUnits(t.db, [dongshan]);
    await setTargets(t.db, campaignId, [...leadersA, ...leadersB], null);
    const proposal = await proposeRaters(t.db, campaignId);
    await saveRaters(t.db, campaignId, proposal, null);
    const only = (ids: number[]) => (p: RaterAssignment) => p.category === 'subordinate' && p.targetIds.every((id) => ids.includes(id));
    subsA = proposal.filter(only(leadersA));
    subsB = proposal.filter(only(leadersB));
    expect(subsA.length).toBeGreaterThanOrEqual(7);
    await openCampaign(t.db, campaignId, clock, null);

    await addUser(t.db, 'district', 'district_admin');
    await addUser(t.db, 'dongshan', 'unit_admin', { unitId: dongshan });
    await addUser(t.db, 'reader', 'viewer', { unitId: orgUnit });
    panel = buildPanel(t.db, { clock, review: [resultsReview(t.db)], timeline: [evaluationTimeline] });
    admin = browser(panel.app, '10.9.1.1');
    unitAdmin = browser(panel.app, '10.9.1.2');
    viewer = browser(panel.app, '10.9.1.3');
    await admin.signIn('district');
    await unitAdmin.signIn('dongshan');
    await viewer.signIn('reader');
  }, 120_000);
  afterAll(() => t?.drop());

  it('holds slips sealed until five wait for a target, then lets them in together', async () => {
    expect(BOX_BATCH).toBe(5);
    // One subordinate of 东山街道, then four of 区委组织部: no group has five slips yet.
    await vote(subsB[0]!, 'poor');
    for (const p of subsA.slice(0, 4)) await vote(p, 'good', p === subsA[0] ? '希望更多深入基层，多听取群众意见。'.repeat(20) : null);
    expect(await n('evaluation_ballots')).toBe(0);
    expect(await n('evaluation_held_slips')).toBe(leadersB.length + 4 * leadersA.length);

    // What waits shows no voter, no time, and nothing in its length: a long comment looks like none.
    const held = await t.db.execute<Record<string, unknown>>(sql`select * from evaluation_held_slips`);
    expect(Object.keys(held[0]!).sort()).toEqual(['campaign_id', 'category', 'sealed', 'target_id']);
    expect(new Set(held.map((h) => (h.sealed as string).length)).size).toBe(1);
    expect(Buffer.from(held[0]!.sealed as string, 'base64url').length).toBe(1 + 12 + 16 + SLIP_BLOCK);
    for (const h of held) {
      const bytes = Buffer.from(h.sealed as string, 'base64url');
      for (const plain of ['scores', '希望', '"comment"']) expect(bytes.includes(Buffer.from(plain))).toBe(false);
    }

    // The fifth of 区委组织部: its leaders' groups go into the box (5 slips each); 东山街道's single slip waits.
    await vote(subsA[4]!, 'fairly_good');
    expect(await n('evaluation_ballots')).toBe(5 * leadersA.length);
    expect(await n('evaluation_held_slips')).toBe(leadersB.length);
    expect(await n('evaluation_ballots', sql`where target_id in (${sql.join(leadersB.map((id) => sql`${id}`), sql`, `)})`)).toBe(0);
    // Released together, in one transaction: nothing tells the five apart.
    expect(await n('(select distinct xmin::text from evaluation_ballots) x')).toBe(1);
    // Comments wait for closing like every other figure.
    expect(await targetComments(t.db, campaignId, leadersA[0]!)).toEqual([]);

    // Two more: waiting again.
    for (const p of subsA.slice(5, 7)) await vote(p, 'average');
    expect(await n('evaluation_ballots')).toBe(5 * leadersA.length);
    expect(await n('evaluation_held_slips')).toBe(leadersB.length + 2 * leadersA.length);
  });

  it('keeps results sealed for every role and in every form while open', async () => {
    const base = `/evaluation/${campaignId}/results`;
    const sealedPaths = [base, `${base}/export.xlsx`, `${base}/${leadersB[0]}`, `${base}/${leadersB[0]}/print`, `${base}/unit/${dongshan}`, `${base}/unit/${dongshan}/print`, `${base}?sort=overall`];
    for (const client of [admin, viewer, unitAdmin]) {
      for (const path of sealedPaths) {
        const res = await client.get(path);
        expect({ path, status: res.status }).toEqual({ path, status: 409 });
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        const html = await res.text();
        expect(html).toContain('结果保密至测评结束');
        expect(html).not.toMatch(/综合得分|data-chart/);
      }
    }
    const fragment = await admin.get(base, { 'HX-Request': 'true', 'HX-Request-Type': 'partial' });
    expect(fragment.status).toBe(409);
    expect(await fragment.text()).toMatch(/^<div id="results-inner"><div class="alert alert-info" role="status" id="results-sealed">/);
    expect((await admin.post(`${base}/rules`, { minExcellent: '50', maxIncompetent: '40' })).status).toBe(409);
    admin.jar.set('lang', 'en');
    expect(await (await admin.get(base)).text()).toContain('Results are sealed until the campaign closes');
    admin.jar.delete('lang');
    // The comparison over years, the curve, the profile timeline and the dashboard leave it out.
    expect(await (await admin.get('/evaluation/compare?kind=annual')).text()).not.toContain(`/evaluation/${campaignId}/results`);
    expect(await cadreSeries(t.db, leadersA[0]!, 'annual')).toEqual([]);
    expect(await (await admin.get(`/cadres/${leadersA[0]}`)).text()).not.toContain(`/evaluation/${campaignId}/results`);
    expect(await (await admin.get('/')).text()).not.toContain(`/evaluation/${campaignId}/results`);
    await expect(campaignResults(t.db, campaignId)).rejects.toMatchObject({ code: 'results_sealed' });
    // Nothing was shown, so no view or export was audited.
    expect(await t.db.select().from(auditLog).where(and(eq(auditLog.entityId, String(campaignId)), eq(auditLog.entity, 'evaluation_results')))).toEqual([]);
    // Turnout stays visible.
    expect(await (await admin.get(`/evaluation/${campaignId}/turnout`)).text()).toContain('data-category="subordinate"');
  });

  it('refuses to close with a different ballot key, changing nothing', async () => {
    const held = await n('evaluation_held_slips');
    await expect(closeCampaign(t.db, campaignId, clock, null, sealKeyFrom('another secret'))).rejects.toMatchObject({ code: 'ballot_box_unreadable' });
    expect(await n('evaluation_held_slips')).toBe(held);
    expect(await n('evaluation_campaigns', sql`where status = 'open'`)).toBe(1);
  });

  it('lets every held slip in at closing, and then the results count all of them', async () => {
    const res = await admin.post(`/evaluation/${campaignId}/close`, {});
    expect(res.status).toBe(200);
    expect(await n('evaluation_held_slips')).toBe(0);
    expect(await n('evaluation_ballots')).toBe(7 * leadersA.length + leadersB.length);

    const results = await campaignResults(t.db, campaignId);
    const a = results.targets.find((r) => r.cadreId === leadersA[0])!;
    // 好 ×4 (100), 较好 (80), 一般 ×2 (60): (400 + 80 + 120) / 7 = 85.71.
    expect(a.score.ballots).toBe(7);
    expect(a.score.overall).toBe(85.71);
    expect(results.targets.find((r) => r.cadreId === leadersB[0])!.score).toMatchObject({ ballots: 1, overall: 40 });
    expect(await targetComments(t.db, campaignId, leadersA[0]!)).toEqual(['希望更多深入基层，多听取群众意见。'.repeat(20)]);

    const page = await admin.get(`/evaluation/${campaignId}/results`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('85.71');
    const xlsx = await admin.get(`/evaluation/${campaignId}/results/export.xlsx`);
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await xlsx.arrayBuffer());
    expect(book.worksheets[0]!.rowCount).toBe(1 + leadersA.length + leadersB.length);
    expect((await viewer.get(`/evaluation/${campaignId}/results/${leadersA[0]}`)).status).toBe(200);
    expect(await (await admin.get(`/cadres/${leadersA[0]}`)).text()).toContain(`/evaluation/${campaignId}/results/${leadersA[0]}`);
    expect((await cadreSeries(t.db, leadersA[0]!, 'annual')).map((p) => p.overall)).toEqual([85.71]);
    const [row] = await t.db.select({ name: cadres.name }).from(cadres).where(eq(cadres.id, leadersA[0]!));
    expect(await (await admin.get('/evaluation/compare?kind=annual')).text()).toContain(row!.name);
  });
});
