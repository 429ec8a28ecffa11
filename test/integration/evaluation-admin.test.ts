import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { seedDemo } from '../../core/demo.ts';
import { signBallotLink } from '../../core/evaluation/ballot-link.ts';
import { sealKeyFrom } from '../../core/evaluation/seal.ts';
import { ensureBuiltInTemplates, POLITICAL_QUALITY, templateItems } from '../../core/evaluation/templates.ts';
import { auditLog } from '../../db/schema/audit.ts';
import { evaluationBallots, evaluationCampaigns, evaluationPublicCodes, evaluationRaters, evaluationTargets, evaluationTemplateVersions } from '../../db/schema/evaluation.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel } from '../helpers/panel.ts';
import { fixedClock } from '../../core/clock.ts';
import { evaluationReviewSource } from '../../web/pages/evaluation/review.ts';

const KEY = sealKeyFrom('test-secret');
const ITEMS = templateItems(POLITICAL_QUALITY).map((i) => i.key);

/** The campaign form as a person fills it in, with changes. */
function campaignForm(templateVersionId: number, changes: Record<string, string> = {}): Record<string, string> {
  return {
    title: '2026年度班子民主测评',
    kind: 'annual',
    year: '2026',
    templateVersionId: String(templateVersionId),
    opensAt: '2026-11-25T08:00',
    closesAt: '2026-11-30T18:00',
    w_superior: '0.3',
    w_peer: '0.3',
    w_subordinate: '0.2',
    w_public: '0.2',
    atOpening: 'on',
    dailyAt: '10:00',
    lastDay: 'on',
    quietFrom: '21:00',
    quietTo: '08:00',
    maxReminders: '5',
    maxTopShare: '',
    minExcellentCompetent: '60',
    maxIncompetent: '33.3',
    ...changes,
  };
}

type Client = ReturnType<typeof browser>;

const draftIn = (html: string) => html.match(/name="draft" value="([^"]+)"/)?.[1];

/** Answers every step of a web ballot with 好 and submits; returns the last answer. */
async function voteThrough(client: Client, path: string, steps: number) {
  let html = await (await client.get(path)).text();
  let res: Response | undefined;
  for (let i = 0; i < steps; i++) {
    const form: Record<string, string> = { draft: draftIn(html)!, go: i === steps - 1 ? 'submit' : 'next' };
    for (const k of ITEMS) form[`lv_${k}`] = 'good';
    res = await client.post(path, form);
    html = await res.text();
  }
  return { res: res!, html };
}

describe('evaluation admin pages and web ballots', () => {
  let t: TestDatabase;
  let panel: ReturnType<typeof buildPanel>;
  let admin: Client;
  let unitAdmin: Client;
  let viewer: Client;
  let voter: Client;
  let versionId: number;
  let dongshan: number;
  let xihe: number;
  let campaignId: number;
  let codes: string[];
  const opened: number[] = [];
  const campaigns = async () => (await t.db.select().from(evaluationCampaigns)).length;
  const audits = async (entity: string) => t.db.select().from(auditLog).where(eq(auditLog.entity, entity));
  const held = async () => (await t.db.execute<{ n: number }>(sql`select count(*)::int as n from evaluation_held_slips`))[0]!.n;

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltInTemplates(t.db);
    const [v] = await t.db.execute<{ id: number }>(sql`select v.id from evaluation_template_versions v join evaluation_templates t on t.id = v.template_id where t.key = 'political_quality'`);
    versionId = v!.id;
    dongshan = (await t.db.select().from(units).where(eq(units.name, '东山街道')))[0]!.id;
    xihe = (await t.db.select().from(units).where(eq(units.name, '西河街道')))[0]!.id;
    await addUser(t.db, 'district', 'district_admin');
    await addUser(t.db, 'dongshan', 'unit_admin', { unitId: dongshan });
    await addUser(t.db, 'reader', 'viewer', { unitId: dongshan });
    panel = buildPanel(t.db, { sealKey: KEY, timeZone: 'Asia/Shanghai', onCampaignOpened: async (id) => void opened.push(id) });
    admin = browser(panel.app, '10.9.0.1');
    await admin.signIn('district');
    unitAdmin = browser(panel.app, '10.9.0.2');
    await unitAdmin.signIn('dongshan');
    viewer = browser(panel.app, '10.9.0.3');
    await viewer.signIn('reader');
    voter = browser(panel.app, '10.9.0.4');
  });
  afterAll(() => t.drop());

  it('refuses weights that do not sum to 1 with a 422 in Chinese, keeps what was typed, saves nothing', async () => {
    const res = await admin.post('/evaluation', campaignForm(versionId, { w_public: '0.3' }));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('四类权重之和须为 1，当前为 1.1');
    expect(html).toContain('value="0.3"');
    expect(await campaigns()).toBe(0);
  });

  it('refuses a date that does not exist, and control characters in the title, instead of storing something else', async () => {
    const res = await admin.post('/evaluation', campaignForm(versionId, { opensAt: '2026-02-30T08:00', closesAt: '2026-11-31T18:00' }));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('开始时间“2026-02-30T08:00”不是有效的日期和时间');
    expect(html).toContain('截止时间“2026-11-31T18:00”不是有效的日期和时间');
    expect(html).not.toContain('请填写开始时间');
    for (const bad of ['2026-12-01T24:00', '2026-12-01T08:60', '2026-13-01T08:00', '2026-12-01', '明天']) {
      expect((await admin.post('/evaluation', campaignForm(versionId, { opensAt: bad }))).status).toBe(422);
    }
    const nul = await admin.post('/evaluation', campaignForm(versionId, { title: '测评\u0000' }));
    expect(nul.status).toBe(422);
    expect(await nul.text()).toContain('测评名称不能包含换行或控制字符');
    expect(await campaigns()).toBe(0);
  });

  it('refuses an empty title, a window that ends before it starts and a non-number, all at once', async () => {
    const res = await admin.post('/evaluation', campaignForm(versionId, { title: ' ', closesAt: '2026-11-20T08:00', w_peer: 'abc' }));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('同级权重须为数字');
    const again = await admin.post('/evaluation', campaignForm(versionId, { title: ' ', closesAt: '2026-11-20T08:00' }));
    const text = await again.text();
    expect(again.status).toBe(422);
    expect(text).toContain('测评名称不能为空');
    expect(text).toContain('截止时间须晚于开始时间');
    expect(await campaigns()).toBe(0);
  });

  it('lets only a district admin create a campaign; viewers and unit admins read', async () => {
    expect((await unitAdmin.post('/evaluation', campaignForm(versionId))).status).toBe(403);
    expect((await viewer.post('/evaluation', campaignForm(versionId))).status).toBe(403);
    expect((await viewer.get('/evaluation/new')).status).toBe(403);
    expect(await campaigns()).toBe(0);
    const res = await admin.post('/evaluation', campaignForm(versionId));
    expect(res.status).toBe(303);
    campaignId = Number(res.headers.get('location')!.match(/\/evaluation\/(\d+)/)![1]);
    const list = await (await admin.get('/evaluation')).text();
    expect(list).toContain('2026年度班子民主测评');
    expect(list).toContain('草稿');
    // Campaigns are scoped like cadres: until it concerns 东山街道, its viewer does not see it.
    expect(await (await viewer.get('/evaluation')).text()).not.toContain('2026年度班子民主测评');
    expect((await viewer.get(`/evaluation/${campaignId}`)).status).toBe(404);
    expect((await audits('evaluation_campaign')).map((a) => a.action)).toEqual(['create']);
  });

  it('edits the settings of a draft, and refuses a bad edit without changing anything', async () => {
    const bad = await admin.post(`/evaluation/${campaignId}`, campaignForm(versionId, { w_superior: '0.5' }));
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('权重之和须为 1');
    const ok = await admin.post(`/evaluation/${campaignId}`, campaignForm(versionId, { title: '2026年度领导班子民主测评', maxTopShare: '90' }));
    expect(ok.status).toBe(200);
    const [row] = await t.db.select().from(evaluationCampaigns).where(eq(evaluationCampaigns.id, campaignId));
    expect(row!.title).toBe('2026年度领导班子民主测评');
    expect(row!.validityRules).toEqual({ maxTopShare: 0.9 });
    expect(row!.opensAt.toISOString()).toBe('2026-11-25T00:00:00.000Z');
    expect((row!.weights as Record<string, number>).superior).toBe(0.3);
    expect((await unitAdmin.post(`/evaluation/${campaignId}`, campaignForm(versionId, { title: 'x' }))).status).toBe(403);
  });

  it('proposes the leadership teams of picked units as targets, adds and removes one', async () => {
    const res = await admin.post(`/evaluation/${campaignId}/targets`, new URLSearchParams([['unitId', String(dongshan)], ['unitId', String(xihe)]]) as unknown as Record<string, string>);
    expect(res.status).toBe(200);
    const leaders = await t.db.select().from(cadres).where(and(sql`${cadres.unitId} in (${dongshan}, ${xihe})`, eq(cadres.isLeader, true), eq(cadres.status, 'active')));
    let targets = await t.db.select().from(evaluationTargets).where(eq(evaluationTargets.campaignId, campaignId));
    expect(targets).toHaveLength(leaders.length);
    expect(await res.text()).toContain(leaders[0]!.name);
    // Now it evaluates 东山街道's team: its viewer reads it.
    expect(await (await viewer.get('/evaluation')).text()).toContain('2026年度领导班子民主测评');

    const missing = await admin.post(`/evaluation/${campaignId}/targets/add`, { q: '不存在的人' });
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain('找不到在职干部“不存在的人”');

    const [extra] = await t.db.select().from(cadres).where(and(eq(cadres.unitId, dongshan), eq(cadres.isLeader, false))).limit(1);
    await admin.post(`/evaluation/${campaignId}/targets/add`, { q: extra!.employeeNo! });
    targets = await t.db.select().from(evaluationTargets).where(eq(evaluationTargets.campaignId, campaignId));
    expect(targets.map((x) => x.cadreId)).toContain(extra!.id);
    await admin.post(`/evaluation/${campaignId}/targets/remove`, { cadreId: String(extra!.id) });
    targets = await t.db.select().from(evaluationTargets).where(eq(evaluationTargets.campaignId, campaignId));
    expect(targets).toHaveLength(leaders.length);
    expect((await audits('evaluation_targets')).length).toBeGreaterThanOrEqual(3);
  });

  it('proposes raters, shows them by category with counts, and adds and removes one', async () => {
    const res = await admin.post(`/evaluation/${campaignId}/raters/propose`, {});
    expect(res.status).toBe(200);
    const rows = await t.db.select().from(evaluationRaters).where(eq(evaluationRaters.campaignId, campaignId));
    expect(await res.text()).toContain(`已生成 ${rows.length} 份评价任务`);
    const subordinates = rows.filter((r) => r.category === 'subordinate');
    const page = await (await admin.get(`/evaluation/${campaignId}?category=subordinate`)).text();
    expect(page).toMatch(new RegExp(`下级 <span class="badge">${subordinates.length}</span>`));

    const gone = subordinates[0]!;
    await admin.post(`/evaluation/${campaignId}/raters/remove`, { cadreId: String(gone.cadreId), category: 'subordinate' });
    expect(await t.db.select().from(evaluationRaters).where(and(eq(evaluationRaters.campaignId, campaignId), eq(evaluationRaters.cadreId, gone.cadreId), eq(evaluationRaters.category, 'subordinate')))).toHaveLength(0);
    const [person] = await t.db.select().from(cadres).where(eq(cadres.id, gone.cadreId));
    await admin.post(`/evaluation/${campaignId}/raters/add`, { q: person!.employeeNo!, category: 'subordinate', unitId: String(person!.unitId) });
    const [back] = await t.db.select().from(evaluationRaters).where(and(eq(evaluationRaters.campaignId, campaignId), eq(evaluationRaters.cadreId, gone.cadreId), eq(evaluationRaters.category, 'subordinate')));
    expect(back!.targetIds.sort()).toEqual(gone.targetIds.sort());
    expect((await unitAdmin.post(`/evaluation/${campaignId}/raters/propose`, {})).status).toBe(403);
  });

  it('issues public codes on a printable page with QR codes, storing only their hashes', async () => {
    const bad = await admin.post(`/evaluation/${campaignId}/codes`, { count: '0' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('一次可生成 1–5000 个群众测评码');
    const res = await admin.post(`/evaluation/${campaignId}/codes`, { count: '3', unitId: String(dongshan) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    codes = [...html.matchAll(/data-code="([A-Z0-9]+)"/g)].map((m) => m[1]!);
    expect(codes).toHaveLength(3);
    expect(html.match(/<svg/g)).toHaveLength(3);
    expect(html).toContain(`http://localhost/vote/${codes[0]}`);
    const stored = await t.db.select().from(evaluationPublicCodes).where(eq(evaluationPublicCodes.campaignId, campaignId));
    expect(stored).toHaveLength(3);
    expect(JSON.stringify(stored)).not.toContain(codes[0]);
  });

  it('a public code cannot vote before the campaign opens', async () => {
    const html = await (await voter.get(`/vote/${codes[0]}`)).text();
    expect(html).toContain('测评尚未开始');
  });

  it('opens the campaign, hands it to the invitations, and freezes the settings', async () => {
    const res = await admin.post(`/evaluation/${campaignId}/open`, {});
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('测评已发布');
    expect(opened).toEqual([campaignId]);
    const [row] = await t.db.select().from(evaluationCampaigns).where(eq(evaluationCampaigns.id, campaignId));
    expect(row!.status).toBe('open');
    const edit = await admin.post(`/evaluation/${campaignId}/targets/add`, { q: '任何人' });
    expect(edit.status).toBe(422);
    const refused = await admin.post(`/evaluation/${campaignId}/raters/propose`, {});
    expect(await refused.text()).toContain('测评已发布，不能再修改');
    expect((await audits('evaluation_campaign')).some((a) => JSON.stringify(a.diff).includes('open'))).toBe(true);
  });

  it('shows live turnout by category and unit with the names of non-responders, polled every 5 s', async () => {
    const res = await admin.get(`/evaluation/${campaignId}/turnout`, { 'HX-Request': 'true' });
    const html = await res.text();
    expect(html).toContain('hx-trigger="every 5s"');
    expect(html).toContain('data-category="peer"');
    expect(html).toContain('data-unit="西河街道"');
    const [pending] = await t.db.select().from(evaluationRaters).innerJoin(cadres, eq(cadres.id, evaluationRaters.cadreId)).where(and(eq(evaluationRaters.campaignId, campaignId), eq(cadres.unitId, dongshan))).limit(1);
    expect(html).toContain(pending!.cadres.name);
    // Seeing who has not voted is audited: once per sitting, not once per poll.
    const seen = await audits('evaluation_turnout');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ action: 'view', entityId: String(campaignId), ip: '10.9.0.1' });
    expect((seen[0]!.diff as { nonVoters: number }).nonVoters).toBeGreaterThan(0);
    await admin.get(`/evaluation/${campaignId}/turnout`, { 'HX-Request': 'true' });
    await admin.get(`/evaluation/${campaignId}`);
    expect(await audits('evaluation_turnout')).toHaveLength(1);
  });

  it('shows a unit admin the turnout of their own units only, and a viewer no names', async () => {
    const html = await (await unitAdmin.get(`/evaluation/${campaignId}/turnout`)).text();
    expect(html).toContain('data-unit="东山街道"');
    expect(html).not.toContain('data-unit="西河街道"');
    expect(html).not.toContain('data-turnout-overall');
    const seen = await (await viewer.get(`/evaluation/${campaignId}/turnout`)).text();
    expect(seen).toContain('data-unit="东山街道"');
    expect(seen).not.toContain('未投票');
    // The unit admin saw names (audited); the viewer saw counts only (nothing to audit).
    const rows = await audits('evaluation_turnout');
    expect(rows.map((r) => r.ip).sort()).toEqual(['10.9.0.1', '10.9.0.2']);
  });

  it('takes a public ballot step by step, refuses an incomplete step, then refuses the used code', async () => {
    const targets = await t.db.select().from(evaluationTargets).where(and(eq(evaluationTargets.campaignId, campaignId), eq(evaluationTargets.unitId, dongshan)));
    const first = await (await voter.get(`/vote/${codes[0]}`)).text();
    expect(first).toContain(`第 1 / ${targets.length} 位`);
    const incomplete = await voter.post(`/vote/${codes[0]}`, { draft: draftIn(first)!, go: 'next', [`lv_${ITEMS[0]}`]: 'good' });
    expect(incomplete.status).toBe(422);
    expect(await incomplete.text()).toContain('请先完成：');
    expect(await held()).toBe(0);

    const { html } = await voteThrough(voter, `/vote/${codes[0]}`, targets.length);
    expect(html).toContain('提交成功');
    // One ballot: its slips wait sealed until five per target and category are waiting.
    expect(await held()).toBe(targets.length);
    expect(await t.db.select().from(evaluationBallots)).toHaveLength(0);

    const again = await (await voter.get(`/vote/${codes[0]}`)).text();
    expect(again).toContain('该测评码已使用过');
    const typed = await voter.get(`/vote?code=${codes[1]!.toLowerCase().slice(0, 5)}-${codes[1]!.slice(5)}`);
    expect(typed.headers.get('location')).toBe(`/vote/${codes[1]}`);
    expect(await (await voter.get('/vote/NOSUCHCODE')).text()).toContain('测评码无效');

    const turnout = await (await admin.get(`/evaluation/${campaignId}/turnout`)).text();
    expect(turnout).toMatch(/data-category="public"><td>群众<\/td>.*?33.3%<small> \(1\/3\)/);
  });

  it('refuses a tampered or expired ballot link, takes a valid one once', async () => {
    const [rater] = await t.db.select().from(evaluationRaters).where(and(eq(evaluationRaters.campaignId, campaignId), eq(evaluationRaters.category, 'peer'))).limit(1);
    const link = (expiresAt: Date, cadreId = rater!.cadreId) => signBallotLink(KEY, { campaignId, cadreId, category: 'peer', expiresAt });
    const good = link(new Date('2026-12-01T00:00:00Z'));
    const [body, sig] = good.split('.');
    // Someone else's link body under this link's signature: the signature no longer matches.
    const [otherBody] = link(new Date('2026-12-01T00:00:00Z'), rater!.cadreId + 1).split('.');
    expect(otherBody).not.toBe(body);
    const forged = `${otherBody}.${sig}`;
    const tampered = await voter.get(`/ballot/${forged}`);
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain('链接无效');
    const expired = await voter.get(`/ballot/${link(new Date('2026-11-25T08:00:00Z'))}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('链接已过期');

    const before = await held();
    const { html } = await voteThrough(voter, `/ballot/${good}`, rater!.targetIds.length);
    expect(html).toContain('提交成功');
    expect((await held()) - before).toBe(rater!.targetIds.length);
    expect(await (await voter.get(`/ballot/${good}`)).text()).toContain('您已提交过本次测评的问卷');
  });

  it('refuses a tampered draft', async () => {
    const first = await (await voter.get(`/vote/${codes[1]}`)).text();
    const draft = draftIn(first)!;
    const res = await voter.post(`/vote/${codes[1]}`, { draft: `${draft.slice(0, -4)}AAAA`, go: 'next' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('草稿已失效');
  });

  it('imports no paper ballot from a file with errors and lists them', async () => {
    const before = await held();
    const form = new FormData();
    form.set('file', new File(['问卷编号,类别,被评价人编号\n1,路人,999999\n'], 'scan.csv', { type: 'text/csv' }));
    const res = await admin.post(`/evaluation/${campaignId}/paper`, form);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('未导入任何选票');
    expect(await held()).toBe(before);
    const empty = new FormData();
    empty.set('file', new File([''], 'empty.csv'));
    const none = await admin.post(`/evaluation/${campaignId}/paper`, empty);
    expect(none.status).toBe(422);
    expect(await none.text()).toContain('请选择要上传的文件');
  });

  it('imports a correct scanner file once, all of it, and refuses the same file again', async () => {
    // A subordinate of 西河街道 handed in a sheet for the unit's leaders.
    const [rater] = await t.db
      .select({ no: cadres.employeeNo, targetIds: evaluationRaters.targetIds })
      .from(evaluationRaters)
      .innerJoin(cadres, eq(cadres.id, evaluationRaters.cadreId))
      .where(and(eq(evaluationRaters.campaignId, campaignId), eq(evaluationRaters.category, 'subordinate'), eq(cadres.unitId, xihe)))
      .limit(1);
    const targets = await t.db.select({ no: cadres.employeeNo }).from(cadres).where(sql`${cadres.id} in ${rater!.targetIds}`);
    const labels = templateItems(POLITICAL_QUALITY).map((i) => i.label);
    const csv = [['问卷编号', '类别', '被评价人编号', ...labels, '意见建议'].join(','), ...targets.map((x) => ['P1', '下级', x.no, ...labels.map(() => '好'), ''].join(','))].join('\n');
    const before = await held();
    const upload = (content = csv) => {
      const form = new FormData();
      form.set('file', new File([content], 'scan-1.csv', { type: 'text/csv' }));
      form.set('voters', rater!.no!);
      return admin.post(`/evaluation/${campaignId}/paper`, form);
    };
    const res = await upload();
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`已导入 1 张纸质选票（${targets.length} 条评价），1 位评价人记为已投票`);
    expect((await held()) - before).toBe(targets.length);
    // The same file saved again on Windows.
    const again = await upload(csv.replace(/\n/g, '\r\n'));
    expect(again.status).toBe(422);
    expect(await again.text()).toContain('该文件已导入过');
    expect((await held()) - before).toBe(targets.length);
    expect((await audits('evaluation_paper_batch')).map((a) => a.action)).toEqual(['import']);
  });

  it('saves a template edit as a new version while the open campaign keeps its own', async () => {
    const templateId = (await t.db.select().from(evaluationTemplateVersions).where(eq(evaluationTemplateVersions.id, versionId)))[0]!.templateId;
    const edit = await (await admin.get(`/evaluation/templates/${templateId}`)).text();
    expect(edit).toContain('对党忠诚老实');
    const form: Record<string, string> = { name: '政治素质测评', allowComment: 'on' };
    POLITICAL_QUALITY.scale.forEach((l, i) => Object.assign(form, { [`level_label_${i}`]: l.label, [`level_key_${i}`]: l.key, [`level_score_${i}`]: String(l.score) }));
    POLITICAL_QUALITY.dimensions.forEach((d, j) => Object.assign(form, { [`dim_label_${j}`]: d.label, [`dim_key_${j}`]: d.key, [`dim_items_${j}`]: d.items.map((i) => `${i.key}: ${i.label}`).join('\n') }));

    const bad = await admin.post(`/evaluation/templates/${templateId}`, { ...form, level_score_1: '100' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('等次须从高到低排列');
    expect(await t.db.select().from(evaluationTemplateVersions).where(eq(evaluationTemplateVersions.templateId, templateId))).toHaveLength(1);

    const ok = await admin.post(`/evaluation/templates/${templateId}`, { ...form, dim_items_4: 'discipline_rules: 严守政治纪律和规矩\n廉洁自律' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('已保存为第 2 版');
    const list = await (await admin.get('/evaluation/templates')).text();
    expect(list).toContain('第 2 版');
    expect(list).toMatch(/2026年度领导班子民主测评<\/a> <span class="badge ok">进行中<\/span> <span class="badge">第 1 版/);
    expect((await viewer.get(`/evaluation/templates/${templateId}`)).status).toBe(403);
    expect((await audits('evaluation_template')).length).toBe(1);
  });

  it('creates a custom template, refusing one without dimensions', async () => {
    const bad = await admin.post('/evaluation/templates', { name: '专项测评', level_label_0: '好', level_key_0: 'good', level_score_0: '100', level_label_1: '差', level_key_1: 'poor', level_score_1: '40' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('至少需要一个测评维度');
    const ok = await admin.post('/evaluation/templates', { name: '专项测评', level_label_0: '好', level_key_0: 'good', level_score_0: '100', level_label_1: '差', level_key_1: 'poor', level_score_1: '40', dim_label_0: '作风', dim_key_0: 'style', dim_items_0: '深入基层\n求真务实' });
    expect(ok.status).toBe(303);
    expect(await (await admin.get('/evaluation/templates')).text()).toContain('专项测评');
  });

  it('lists turnout for a unit admin from their own units only', async () => {
    const html = await (await unitAdmin.get('/evaluation')).text();
    const own = await (await unitAdmin.get(`/evaluation/${campaignId}/turnout`)).text();
    const [, done, of] = own.match(/data-unit="东山街道">.*?\((\d+)\/(\d+)\)/)!;
    expect(html).toContain(`(${done}/${of})`);
    expect(html).not.toContain('/54)');
    const page = await (await unitAdmin.get(`/evaluation/${campaignId}`)).text();
    expect(page).not.toContain('西河街道</h3>');
    expect(page).toContain('东山街道 <small');
  });

  it('puts a campaign that closes within two days with low turnout on the dashboard', async () => {
    const clock = fixedClock('2026-11-29T12:00:00Z');
    const late = buildPanel(t.db, { clock, sealKey: KEY, timeZone: 'Asia/Shanghai', review: [evaluationReviewSource({ db: t.db, clock })] });
    const someone = browser(late.app, '10.9.0.5');
    await someone.signIn('district');
    const html = await (await someone.get('/')).text();
    expect(html).toMatch(/“2026年度领导班子民主测评”即将截止，参评率仅 [\d.]+%/);
    expect(html).toContain(`href="/evaluation/${campaignId}"`);
    const early = buildPanel(t.db, { review: [evaluationReviewSource({ db: t.db, clock: fixedClock('2026-11-25T09:00:00Z') })] });
    const other = browser(early.app, '10.9.0.6');
    await other.signIn('district');
    expect(await (await other.get('/')).text()).not.toContain('即将截止');
  });

  it('closes the campaign; then a code says the evaluation has ended', async () => {
    expect((await unitAdmin.post(`/evaluation/${campaignId}/close`, {})).status).toBe(403);
    const res = await admin.post(`/evaluation/${campaignId}/close`, {});
    expect(await res.text()).toContain('测评已结束');
    const html = await (await voter.get(`/vote/${codes[2]}`)).text();
    expect(html).toContain('测评已结束');
    const list = await (await admin.get('/evaluation')).text();
    expect(list).toContain('已结束');
  });

  it('speaks English when asked', async () => {
    admin.jar.set('lang', 'en');
    const page = await (await admin.get(`/evaluation/${campaignId}`)).text();
    expect(page).toContain('Turnout');
    expect(page).toContain('Closed');
    expect(await (await admin.get('/evaluation/templates')).text()).toContain('Questionnaires');
    admin.jar.delete('lang');
  });
});
