import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { fixedClock } from '../../core/clock.ts';
import { seedDemo } from '../../core/demo.ts';
import {
  closeCampaign,
  createCampaign,
  issuePublicCodes,
  leadersOfUnits,
  openCampaign,
  proposeRaters,
  saveRaters,
  setTargets,
  updateCampaign,
  type RaterAssignment,
} from '../../core/evaluation/campaigns.ts';
import { castBallot, nonResponders, turnout, type TargetAnswers } from '../../core/evaluation/ballots.ts';
import { EvaluationError } from '../../core/evaluation/errors.ts';
import { vacuumBallotBox } from '../../core/evaluation/ballot-box.ts';
import { cadreSeries, campaignResults, districtComparison } from '../../core/evaluation/results.ts';
import { sealKeyFrom } from '../../core/evaluation/seal.ts';
import { ANNUAL_ASSESSMENT, ensureBuiltInTemplates, latestTemplateVersion, saveTemplateVersion, templateIdByKey, templateItems } from '../../core/evaluation/templates.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { evaluationBallots, evaluationCompletions, evaluationPublicCodes } from '../../db/schema/evaluation.ts';
import type { OverallGrade } from '../../db/schema/evaluation.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { evaluationDictionary } from '../../web/pages/evaluation/text.ts';
import { errorText, evaluationDictionary as zhDictionary } from '../../web/pages/evaluation/text.ts';

const zhText = zhDictionary('zh');

const wording = evaluationDictionary('zh').results;

const KEY = sealKeyFrom('test-secret');
const ITEMS = templateItems(ANNUAL_ASSESSMENT).map((i) => i.key);

/** Every item of every target at one level, with one grade. */
function answersFor(targetIds: number[], level: (targetId: number) => string, grade: (targetId: number) => OverallGrade = () => 'competent'): TargetAnswers[] {
  return targetIds.map((targetId) => ({ targetId, levels: Object.fromEntries(ITEMS.map((k) => [k, level(targetId)])), grade: grade(targetId) }));
}

describe('democratic evaluation on the demo district', () => {
  let t: TestDatabase;
  let orgUnit: number;
  let templateVersionId: number;
  let leaders: number[];
  let proposal: RaterAssignment[];
  let campaignId: number;
  let codes: string[];
  const clock = fixedClock('2026-12-02T02:00:00Z');
  const window = { opensAt: new Date('2026-12-01T00:00:00Z'), closesAt: new Date('2026-12-10T00:00:00Z') };
  const count = async (table: string) => (await t.sql.unsafe(`select count(*)::int as n from ${table}`))[0]!.n as number;

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltInTemplates(t.db);
    await ensureBuiltInTemplates(t.db); // idempotent
    const [org] = await t.db.select().from(units).where(eq(units.name, '区委组织部'));
    orgUnit = org!.id;
    templateVersionId = (await latestTemplateVersion(t.db, (await templateIdByKey(t.db, 'annual_assessment'))!))!.id;
  });
  afterAll(() => t.drop());

  it('refuses weights that do not sum to 1, in Chinese, and saves nothing', async () => {
    const attempt = createCampaign(
      t.db,
      { title: '2026年度民主测评', kind: 'annual', year: 2026, templateVersionId, ...window, weights: { superior: 0.3, peer: 0.3, subordinate: 0.2, public: 0.1 } },
      null,
    );
    expect(errorText(zhText, (await attempt.then(() => null, (e: EvaluationError) => e))!)).toBe('测评设置有误：上级、同级、下级、群众四类权重之和须为 1，当前为 0.9');
    await expect(attempt).rejects.toBeInstanceOf(EvaluationError);
    expect(await count('evaluation_campaigns')).toBe(0);
  });

  it('proposes raters from the organization: peers, subordinates, district leaders as superiors', async () => {
    const campaign = await createCampaign(t.db, { title: '2026年度民主测评', kind: 'annual', year: 2026, templateVersionId, unitIds: [orgUnit], ...window }, null);
    campaignId = campaign.id;
    leaders = await leadersOfUnits(t.db, [orgUnit]);
    expect(leaders.length).toBe(4);
    await setTargets(t.db, campaignId, leaders, null);
    proposal = await proposeRaters(t.db, campaignId);

    const orgPeople = await t.db.select().from(cadres).where(and(eq(cadres.unitId, orgUnit), eq(cadres.status, 'active')));
    const [district] = await t.db.select().from(units).where(eq(units.kind, 'district'));
    const districtLeaders = await t.db.select().from(cadres).where(and(eq(cadres.unitId, district!.id), eq(cadres.isLeader, true), eq(cadres.status, 'active')));

    for (const leader of leaders) {
      expect(proposal).toContainEqual({ cadreId: leader, category: 'peer', targetIds: leaders.filter((l) => l !== leader) });
    }
    const subordinates = proposal.filter((p) => p.category === 'subordinate');
    expect(subordinates.map((s) => s.cadreId).sort()).toEqual(orgPeople.filter((c) => !c.isLeader).map((c) => c.id).sort());
    for (const s of subordinates) expect(s.targetIds).toEqual(leaders);
    expect(proposal.filter((p) => p.category === 'superior').map((p) => p.cadreId).sort()).toEqual(districtLeaders.map((c) => c.id).sort());
    for (const p of proposal) expect(p.targetIds).not.toContain(p.cadreId);
  });

  it('refuses a rater assignment that rates oneself', async () => {
    const self = [{ cadreId: leaders[0]!, category: 'peer' as const, targetIds: leaders }];
    expect(errorText(zhText, (await saveRaters(t.db, campaignId, self, null).then(() => null, (e: EvaluationError) => e))!)).toContain(`干部 ${leaders[0]} 不能评价自己`);
  });

  it('opens with the template version frozen; later template edits do not reach it', async () => {
    await saveRaters(t.db, campaignId, proposal, null);
    codes = await issuePublicCodes(t.db, campaignId, { count: 5 }, null);
    expect(new Set(codes).size).toBe(5);
    const opened = await openCampaign(t.db, campaignId, clock, null);
    expect(opened.status).toBe('open');
    expect(opened.templateVersionId).toBe(templateVersionId);

    const edited = await saveTemplateVersion(t.db, { templateId: (await templateIdByKey(t.db, 'annual_assessment'))!, definition: { ...ANNUAL_ASSESSMENT, name: '改过的问卷' }, actorId: null });
    expect(edited.version).toBe(2);
    const [after] = await t.db.execute<{ template_version_id: number }>(sql`select template_version_id from evaluation_campaigns where id = ${campaignId}`);
    expect(after!.template_version_id).toBe(templateVersionId);
    await expect(t.db.execute(sql`update evaluation_template_versions set definition = '{}' where id = ${templateVersionId}`)).rejects.toThrow();
    expect(errorText(zhText, (await updateCampaign(t.db, campaignId, { title: '新名称' }, null).then(() => null, (e: EvaluationError) => e))!)).toBe('测评已发布，不能再修改设置、对象或评价人');
  });

  it('refuses incomplete ballots and self-rating, changing nothing', async () => {
    const peer = proposal.find((p) => p.category === 'peer')!;
    const selfRating = castBallot(t.db, {
      campaignId, raterCadreId: peer.cadreId, category: 'peer', clock, sealKey: KEY,
      answers: answersFor([...peer.targetIds, peer.cadreId], () => 'good'),
    });
    expect(errorText(zhText, (await selfRating.then(() => null, (e: EvaluationError) => e))!)).toContain('不能评价自己');
    const partial = answersFor(peer.targetIds, () => 'good');
    delete partial[0]!.levels[ITEMS[0]!];
    expect(errorText(zhText, (await castBallot(t.db, { campaignId, raterCadreId: peer.cadreId, category: 'peer', clock, sealKey: KEY, answers: partial }).then(() => null, (e: EvaluationError) => e))!)).toMatch(/问卷未完成：.*未评价：政治品质/);
    expect(errorText(zhText, (await castBallot(t.db, { campaignId, raterCadreId: peer.cadreId, category: 'peer', clock, sealKey: KEY, answers: answersFor(peer.targetIds.slice(1), () => 'good') }).then(() => null, (e: EvaluationError) => e))!)).toContain('还有 1 位评价对象未评价');
    expect(await count('evaluation_ballots')).toBe(0);
    expect(await count('evaluation_completions')).toBe(0);
  });

  // The hand-computed case. Target T1 = leaders[0]; every other target gets 较好 (80) from all.
  //   superiors (4 district leaders): T1 好 100, grade 优秀
  //   peers (the 3 other team members): T1 较好 80, grade 称职
  //   subordinates (4): two give T1 一般 60, two 差 40 (mean 50), grades 基本称职 ×2, 不称职 ×2
  //   public (3 codes): T1 好 100, grade 不称职
  // T1 overall = 0.3·100 + 0.3·80 + 0.2·50 + 0.2·100 = 30 + 24 + 10 + 20 = 84
  // Others: 80 from everyone → 80. Ranks: T1 1, others 2, 2, 2.
  // T1 grades: 优秀 4 + 称职 3 = 7 of 14 = 50% < 60%; 不称职 2 + 3 = 5 of 14 = 35.71% > 33.33%.
  // T1 好评率: (40 + 30) answers at 100 of 140 = 50%.
  it('casts ballots: one per rater, a second submit changes nothing', async () => {
    const t1 = leaders[0]!;
    const auditBefore = await count('audit_log');
    const superiors = proposal.filter((p) => p.category === 'superior').slice(0, 3);
    for (const s of superiors) {
      const r = await castBallot(t.db, { campaignId, raterCadreId: s.cadreId, category: 'superior', clock, sealKey: KEY, answers: answersFor(s.targetIds, (id) => (id === t1 ? 'good' : 'fairly_good'), (id) => (id === t1 ? 'excellent' : 'competent')) });
      expect(r).toEqual({ outcome: 'accepted', slips: 4 });
    }
    const peers = proposal.filter((p) => p.category === 'peer');
    for (const p of peers) {
      const r = await castBallot(t.db, { campaignId, raterCadreId: p.cadreId, category: 'peer', clock, sealKey: KEY, answers: answersFor(p.targetIds, (id) => (id === t1 ? 'fairly_good' : 'fairly_good')) });
      expect(r.outcome).toBe('accepted');
    }
    const subs = proposal.filter((p) => p.category === 'subordinate').slice(0, 4);
    for (const [i, s] of subs.entries()) {
      const r = await castBallot(t.db, {
        campaignId, raterCadreId: s.cadreId, clock, sealKey: KEY,
        answers: answersFor(s.targetIds, (id) => (id === t1 ? (i < 2 ? 'average' : 'poor') : 'fairly_good'), (id) => (id === t1 ? (i < 2 ? 'basically_competent' : 'incompetent') : 'competent')),
      });
      expect(r.outcome).toBe('accepted');
    }
    for (const code of codes.slice(0, 3)) {
      const r = await castBallot(t.db, { campaignId, publicCode: code.toLowerCase(), clock, sealKey: KEY, answers: answersFor(leaders, (id) => (id === t1 ? 'good' : 'fairly_good'), (id) => (id === t1 ? 'incompetent' : 'competent')) });
      expect(r).toEqual({ outcome: 'accepted', slips: 4 });
    }
    // No group (target, category) has five slips yet: all of them wait sealed, the box is empty.
    const heldBefore = await count('evaluation_held_slips');
    expect(heldBefore).toBe(3 * 4 + 4 * 3 + 4 * 4 + 3 * 4);
    expect(await count('evaluation_ballots')).toBe(0);

    // The same rater again (a double click, a stale card): nothing changes.
    const again = await castBallot(t.db, { campaignId, raterCadreId: peers[0]!.cadreId, category: 'peer', clock, sealKey: KEY, answers: answersFor(peers[0]!.targetIds, () => 'poor') });
    expect(again).toEqual({ outcome: 'already_submitted' });
    // Two submits at the same moment (a fourth superior, 好 and 优秀 for T1): exactly one ballot.
    const fourth = proposal.filter((p) => p.category === 'superior')[3]!;
    const both = await Promise.all(
      [0, 1].map(() => castBallot(t.db, { campaignId, raterCadreId: fourth.cadreId, category: 'superior', clock, sealKey: KEY, answers: answersFor(fourth.targetIds, (id) => (id === t1 ? 'good' : 'fairly_good'), (id) => (id === t1 ? 'excellent' : 'competent')) })),
    );
    expect(both.map((b) => b.outcome).sort()).toEqual(['accepted', 'already_submitted']);
    expect(await count('evaluation_held_slips')).toBe(heldBefore + 4);

    // A public code is good for one ballot; an unknown code for none.
    const reused = await castBallot(t.db, { campaignId, publicCode: codes[0]!, clock, sealKey: KEY, answers: answersFor(leaders, () => 'poor') });
    expect(reused).toEqual({ outcome: 'code_used' });
    expect(await castBallot(t.db, { campaignId, publicCode: 'ABCDEFGHJK', clock, sealKey: KEY, answers: answersFor(leaders, () => 'poor') })).toEqual({ outcome: 'code_unknown' });
    expect(await count('evaluation_held_slips')).toBe(heldBefore + 4);
    expect(await count('evaluation_ballots')).toBe(0);

    // Who voted is known (for reminders); submissions write no audit rows.
    expect(await count('audit_log')).toBe(auditBefore);
    const pending = await nonResponders(t.db, campaignId);
    expect(pending).not.toContain(peers[0]!.cadreId);
    expect(pending).toContain(proposal.filter((p) => p.category === 'superior')[5]!.cadreId);
    const turn = await turnout(t.db, campaignId);
    expect(turn.find((r) => r.category === 'public')).toEqual({ category: 'public', assigned: 5, completed: 3 });
    expect(turn.find((r) => r.category === 'peer')).toEqual({ category: 'peer', assigned: 4, completed: 4 });
  });

  it('keeps the results sealed while the campaign is open', async () => {
    expect(errorText(zhText, (await campaignResults(t.db, campaignId).then(() => null, (e: EvaluationError) => e))!)).toBe('测评结束前结果保密，结束后才能查看');
    expect(await cadreSeries(t.db, leaders[0]!, 'annual')).toEqual([]);
    expect(await districtComparison(t.db, { kind: 'annual' })).toEqual([]);
  });

  it('refuses ballots once the campaign has closed', async () => {
    const late = fixedClock('2026-12-10T00:00:01Z');
    const superior = proposal.filter((p) => p.category === 'superior')[5]!;
    const answers = answersFor(superior.targetIds, () => 'good');
    expect(await castBallot(t.db, { campaignId, raterCadreId: superior.cadreId, category: 'superior', clock: late, sealKey: KEY, answers })).toEqual({ outcome: 'closed' });
    await closeCampaign(t.db, campaignId, late, null, KEY);
    // Closing let every held slip into the box.
    expect(await count('evaluation_held_slips')).toBe(0);
    expect(await count('evaluation_ballots')).toBe(3 * 4 + 4 * 3 + 4 * 4 + 3 * 4 + 4);
    expect(await castBallot(t.db, { campaignId, raterCadreId: superior.cadreId, category: 'superior', clock, sealKey: KEY, answers })).toEqual({ outcome: 'closed' });
    expect(await castBallot(t.db, { campaignId, publicCode: codes[4]!, clock, sealKey: KEY, answers: answersFor(leaders, () => 'good') })).toEqual({ outcome: 'closed' });
    expect((await campaignResults(t.db, campaignId)).targets.find((r) => r.cadreId === leaders[0])!.score.overall).toBe(84);
  });

  it('computes the hand-computed results', async () => {
    const results = await campaignResults(t.db, campaignId);
    const t1 = results.targets.find((r) => r.cadreId === leaders[0])!;
    expect(t1.score.overall).toBe(84);
    expect(t1.score.ballots).toBe(14);
    expect(t1.score.topShare).toBe(0.5);
    expect(t1.score.dimensions).toEqual({ virtue: 84, competence: 84, diligence: 84, achievement: 84, integrity: 84 });
    expect(t1.score.categories.subordinate).toEqual({ ballots: 4, mean: 50, distribution: { 60: 20, 40: 20 }, topShare: 0 });
    expect(t1.score.hiddenCategories).toEqual([]);
    expect(t1.score.alerts.map(wording.alertText)).toEqual(['优秀和称职票 7/14（50%），低于 60%', '不称职票 5/14（35.71%），超过 33.33%']);
    expect(t1.score.flags.map((f) => f.rule)).toEqual(['category_disagreement']);
    expect(t1.unitRank).toEqual({ rank: 1, percentile: 100, of: 4 });
    for (const other of results.targets.filter((r) => r.cadreId !== leaders[0])) {
      expect(other.score.overall).toBe(80);
      expect(other.unitRank).toEqual({ rank: 2, percentile: 0, of: 4 });
      expect(other.score.alerts).toEqual([]);
    }
  });

  it('keeps the slips\' tally columns equal to the answers they repeat', async () => {
    const mismatches = await t.db.execute(sql`
      with a as (select ballot_id, sum(score)::int as total, count(*)::int as n, array_agg(score order by item_key) as sorted
                 from evaluation_answers group by ballot_id),
           b as (select id, score_sum, answer_count,
                        (select array_agg(x order by k) from unnest(item_scores, ${sql.raw(`array[${ITEMS.map((k) => `'${k}'`).join(',')}]`)}) as u(x, k)) as sorted
                 from evaluation_ballots)
      select * from a full join b on a.ballot_id = b.id
      where a.total is distinct from b.score_sum or a.n is distinct from b.answer_count or a.sorted is distinct from b.sorted`);
    expect(mismatches).toEqual([]);
  });

  it('compares across years: the vertical curve and the district table', async () => {
    // 2027: only three public raters, 好 for everyone → 100 for every target. The campaign flags
    // ballots with more than 90% 好, so all three are flagged (counted, and shown as flagged).
    const next = await createCampaign(t.db, { title: '2027年度民主测评', kind: 'annual', year: 2027, templateVersionId, unitIds: [orgUnit], opensAt: new Date('2027-12-01T00:00:00Z'), closesAt: new Date('2027-12-10T00:00:00Z'), validityRules: { maxTopShare: 0.9 } }, null);
    await setTargets(t.db, next.id, leaders, null);
    const nextCodes = await issuePublicCodes(t.db, next.id, { count: 3 }, null);
    const clock2027 = fixedClock('2027-12-02T02:00:00Z');
    await openCampaign(t.db, next.id, clock2027, null);
    // Published but not yet at its opening time: not open.
    const early = await castBallot(t.db, { campaignId: next.id, publicCode: nextCodes[0]!, clock: fixedClock('2027-11-30T00:00:00Z'), sealKey: KEY, answers: answersFor(leaders, () => 'good', () => 'excellent') });
    expect(early).toEqual({ outcome: 'not_open' });
    for (const code of nextCodes) await castBallot(t.db, { campaignId: next.id, publicCode: code, clock: clock2027, sealKey: KEY, answers: answersFor(leaders, () => 'good', () => 'excellent') });
    // Open, it is in no curve and no table.
    expect((await cadreSeries(t.db, leaders[0]!, 'annual')).map((p) => p.year)).toEqual([2026]);
    expect(new Set((await districtComparison(t.db, { kind: 'annual' })).map((r) => r.year))).toEqual(new Set([2026]));
    await closeCampaign(t.db, next.id, fixedClock('2027-12-10T00:00:00Z'), null, KEY);

    const flagged = await campaignResults(t.db, next.id);
    expect(flagged.targets.map((r) => [r.score.overall, r.score.flaggedBallots])).toEqual(leaders.map(() => [100, 3]));
    expect((await campaignResults(t.db, next.id, { excludeFlagged: true })).targets.map((r) => r.score.overall)).toEqual(leaders.map(() => null));

    const series = await cadreSeries(t.db, leaders[0]!, 'annual');
    expect(series.map((p) => [p.year, p.overall, p.ballots])).toEqual([[2026, 84, 14], [2027, 100, 3]]);
    const table = await districtComparison(t.db, { kind: 'annual', years: [2026, 2027] });
    expect(table).toHaveLength(8);
    const t1in2026 = table.find((r) => r.year === 2026 && r.cadreId === leaders[0])!;
    expect(t1in2026).toMatchObject({ overall: 84, districtRank: { rank: 1, percentile: 100, of: 4 } });
    expect(table.filter((r) => r.year === 2027).map((r) => r.districtRank!.rank)).toEqual([1, 1, 1, 1]);
    expect(await cadreSeries(t.db, leaders[0]!, 'special')).toEqual([]);
  });

  it('keeps who voted and what was voted apart, in every column and in row order', async () => {
    const tables = await t.db.execute<{ table_name: string; column_name: string; data_type: string }>(sql`
      select table_name, column_name, data_type from information_schema.columns
      where table_schema = 'public' and table_name like 'evaluation_%' order by table_name, ordinal_position`);
    const columns = (table: string) => tables.filter((c) => c.table_name === table).map((c) => c.column_name);
    // The ballot box names no rater: exactly these columns (a new one must be argued for here).
    // Nor when, how or from which paper file it was cast.
    expect(columns('evaluation_ballots')).toEqual(['id', 'campaign_id', 'target_id', 'category', 'flagged', 'overall_grade', 'comment', 'score_sum', 'answer_count', 'level_counts', 'item_scores']);
    // Slips waiting for the box show only what the rater assignments show already.
    expect(columns('evaluation_held_slips')).toEqual(['campaign_id', 'target_id', 'category', 'sealed']);
    expect(columns('evaluation_answers')).toEqual(['ballot_id', 'campaign_id', 'target_id', 'category', 'item_key', 'score']);
    // The ledger and the codes have no id, no time, nothing a ballot could point at.
    expect(columns('evaluation_completions')).toEqual(['campaign_id', 'cadre_id', 'category']);
    expect(columns('evaluation_public_codes')).toEqual(['code_hash', 'campaign_id', 'category', 'unit_id', 'used']);
    for (const table of ['evaluation_ballots', 'evaluation_answers', 'evaluation_completions', 'evaluation_public_codes', 'evaluation_held_slips']) {
      expect(tables.filter((c) => c.table_name === table && /date/.test(c.data_type))).toEqual([]);
      expect(tables.filter((c) => c.table_name === table && /timestamp|time/.test(c.data_type))).toEqual([]);
    }
    // No foreign key joins the box to the ledger, the raters or the codes.
    const fks = await t.db.execute<{ from_table: string; to_table: string }>(sql`
      select conrelid::regclass::text as from_table, confrelid::regclass::text as to_table
      from pg_constraint where contype = 'f' and conrelid::regclass::text like 'evaluation_%'`);
    const boxLinks = fks.filter((f) => ['evaluation_ballots', 'evaluation_answers', 'evaluation_held_slips'].includes(f.from_table));
    expect(boxLinks.map((f) => f.to_table).sort()).toEqual(['cadres', 'cadres', 'evaluation_campaigns', 'evaluation_campaigns', 'evaluation_campaigns']);

    // Every ballot row: ids are random (v4) UUIDs.
    const slips = await t.db.execute<Record<string, unknown>>(sql`select *, xmin::text as xmin, ctid::text as ctid from evaluation_ballots where campaign_id = ${campaignId} order by ctid`);
    expect(slips).toHaveLength(3 * 4 + 4 * 3 + 4 * 4 + 3 * 4 + 4);
    for (const slip of slips) expect(slip.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // After closing, the box was rewritten in one transaction, in the order of its random ids:
    // neither the transaction stamp nor the position of a slip says when it arrived.
    expect(new Set(slips.map((s) => s.xmin)).size).toBe(1);
    const answerStamps = await t.db.execute<{ n: number }>(sql`select count(distinct xmin::text)::int as n from evaluation_answers where campaign_id = ${campaignId}`);
    expect(answerStamps[0]!.n).toBe(1);

    // The ledger carries one transaction stamp for all rows, in an order that is not the order
    // of submission (12 raters: the chance of a random order matching is 1 in 12!).
    const ledger = await t.db.execute<{ cadre_id: number; category: string; xmin: string }>(sql`
      select cadre_id, category, xmin::text as xmin from evaluation_completions where campaign_id = ${campaignId} order by ctid`);
    expect(ledger).toHaveLength(4 + 4 + 4);
    expect(new Set(ledger.map((l) => l.xmin)).size).toBe(1);
    const submissionOrder = [
      ...proposal.filter((p) => p.category === 'superior').slice(0, 3),
      ...proposal.filter((p) => p.category === 'peer'),
      ...proposal.filter((p) => p.category === 'subordinate').slice(0, 4),
      proposal.filter((p) => p.category === 'superior')[3]!,
    ].map((p) => `${p.cadreId}:${p.category}`);
    expect(ledger.map((l) => `${l.cadre_id}:${l.category}`)).not.toEqual(submissionOrder);
    expect(ledger.map((l) => `${l.cadre_id}:${l.category}`).sort()).toEqual([...submissionOrder].sort());
    // The ledger's stamp is not any ballot's stamp; used codes look like unused ones.
    expect(slips.map((s) => s.xmin)).not.toContain(ledger[0]!.xmin);
    const codeStamps = await t.db.select({ used: evaluationPublicCodes.used, xmin: sql<string>`xmin::text` }).from(evaluationPublicCodes).where(eq(evaluationPublicCodes.campaignId, campaignId));
    expect(new Set(codeStamps.map((c) => c.xmin)).size).toBe(1);
    expect(codeStamps.filter((c) => c.used)).toHaveLength(3);
    expect((await t.db.select().from(evaluationBallots).where(eq(evaluationBallots.campaignId, campaignId))).length).toBe(slips.length);
    expect((await t.db.select().from(evaluationCompletions).where(eq(evaluationCompletions.campaignId, campaignId))).length).toBe(12);
    // The old row versions a reshuffle leaves behind can be vacuumed away by the app's own role.
    expect(await vacuumBallotBox(t.db)).toBe(true);
  });
});
