import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { fixedClock } from '../../core/clock.ts';
import { seedDemo } from '../../core/demo.ts';
import { castBallot, nonResponders, turnout } from '../../core/evaluation/ballots.ts';
import { closeCampaign, createCampaign, issuePublicCodes, leadersOfUnits, openCampaign, proposeRaters, saveRaters, setTargets, type RaterAssignment } from '../../core/evaluation/campaigns.ts';
import { importPaperBallots } from '../../core/evaluation/paper.ts';
import { campaignResults } from '../../core/evaluation/results.ts';
import { sealKeyFrom } from '../../core/evaluation/seal.ts';
import { ensureBuiltInTemplates, latestTemplateVersion, POLITICAL_QUALITY, templateIdByKey, templateItems } from '../../core/evaluation/templates.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import type { EvaluationError } from '../../core/evaluation/errors.ts';
import { errorText, evaluationDictionary, issueText } from '../../web/pages/evaluation/text.ts';
import type { Issue } from '../../core/evaluation/errors.ts';

const zh = (i: Issue) => issueText(evaluationDictionary('zh'), i);
/** An import's refusal, worded as the panel words it in Chinese. */
async function refusal(attempt: Promise<unknown>) {
  const e = (await attempt.then(() => null, (x: EvaluationError) => x))!;
  return { code: e.code, texts: e.issues.map(zh) };
}

const labels = templateItems(POLITICAL_QUALITY).map((i) => i.label);
const KEY = sealKeyFrom('test-secret');
const TZ = 'Asia/Shanghai';

describe('paper ballots from a scanner', () => {
  let t: TestDatabase;
  let campaignId: number;
  let numbers: string[];
  let subordinates: RaterAssignment[];
  /** Employee numbers of the subordinates, in proposal order. */
  let subNo: string[];
  let codes: string[];
  const clock = fixedClock('2026-12-02T02:00:00Z');
  const n = async (query: ReturnType<typeof sql>) => (await t.db.execute<{ n: number }>(query))[0]!.n;
  /** Everything an import may change, to check that a refused one changed nothing. */
  const state = async () => ({
    box: await n(sql`select count(*)::int as n from evaluation_ballots`),
    held: await n(sql`select count(*)::int as n from evaluation_held_slips`),
    ledger: await n(sql`select count(*)::int as n from evaluation_completions`),
    usedCodes: await n(sql`select count(*)::int as n from evaluation_public_codes where used`),
    batches: await n(sql`select count(*)::int as n from evaluation_paper_batches`),
    audits: await n(sql`select count(*)::int as n from audit_log where entity = 'evaluation_paper_batch'`),
  });
  const importing = (content: string, voters: string, fileName = 'scan.csv', at = clock) =>
    importPaperBallots(t.db, { campaignId, fileName, content, voters, clock: at, tz: TZ, actorId: null, sealKey: KEY });

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltInTemplates(t.db);
    const [org] = await t.db.select().from(units).where(eq(units.name, '区委组织部'));
    const version = await latestTemplateVersion(t.db, (await templateIdByKey(t.db, 'political_quality'))!);
    const campaign = await createCampaign(t.db, { title: '政治素质测评', kind: 'special', year: 2026, templateVersionId: version!.id, opensAt: new Date('2026-12-01T00:00:00Z'), closesAt: new Date('2026-12-10T00:00:00Z') }, null);
    campaignId = campaign.id;
    const leaders = await leadersOfUnits(t.db, [org!.id]);
    await setTargets(t.db, campaignId, leaders, null);
    const proposal = await proposeRaters(t.db, campaignId);
    await saveRaters(t.db, campaignId, proposal, null);
    subordinates = proposal.filter((p) => p.category === 'subordinate');
    codes = await issuePublicCodes(t.db, campaignId, { count: 2 }, null);
    await openCampaign(t.db, campaignId, clock, null);
    const noOf = async (id: number) => (await t.db.select({ no: cadres.employeeNo }).from(cadres).where(eq(cadres.id, id)))[0]!.no!;
    numbers = [];
    for (const id of leaders) numbers.push(await noOf(id));
    subNo = [];
    for (const s of subordinates) subNo.push(await noOf(s.cadreId));
    expect(subordinates.length).toBeGreaterThanOrEqual(6);
  });
  afterAll(() => t.drop());

  const csv = (rows: string[][], eol = '\r\n') => [['问卷编号', '类别', '被评价人编号', ...labels, '意见建议', '测评码'].join(','), ...rows.map((r) => r.join(','))].join(eol);
  /** A subordinate's sheet: `levels[i]` for the i-th leader, on every item. */
  const sheet = (no: string, levels: string[]) => levels.map((level, i) => [no, '下级', numbers[i]!, ...labels.map(() => level), '', '']);
  const publicSheet = (no: string, code: string) => numbers.map((target) => [no, '群众', target, ...labels.map(() => '好'), '', code]);
  // Three subordinates: leader 1 gets 好 ×3 (100); leader 2 gets 好, 较好, 一般 (mean 80);
  // leaders 3 and 4 get 较好 ×3 (80).
  const good = () => csv([...sheet('B1', ['好', '好', '较好', '较好']), ...sheet('B2', ['好', '较好', '较好', '较好']), ...sheet('B3', ['好', '一般', '较好', '较好'])]);

  it('imports nothing when any row is wrong, and says which', async () => {
    const before = await state();
    const bad = csv([...sheet('A1', ['好', '好', '好', '好']), ...sheet('A2', ['好', '较好', '优', '好'])]);
    const error = await importing(bad, subNo.slice(0, 2).join('\n')).then(() => null, (e: EvaluationError) => e);
    expect(error!.code).toBe('invalid_paper');
    expect(error!.issues.map(zh)).toEqual([`第 8 行：${labels.map((l) => `“${l}”的选项“优”无效`).join('；')}`]);
    expect(errorText(evaluationDictionary('zh'), error!)).toBe('导入失败：共 1 处错误，未导入任何选票');
    expect(await state()).toEqual(before);
  });

  it('refuses more slips than listed raters who have not voted, and names nobody as voted', async () => {
    const before = await state();
    // Three sheets, two names.
    expect(await refusal(importing(good(), subNo.slice(0, 2).join('\n')))).toMatchObject({
      code: 'invalid_paper',
      texts: expect.arrayContaining([expect.stringMatching(/^下级对 .+ 的纸质选票有 3 张，多于所列尚未投票的下级评价人（2 人）$/)]),
    });
    // No names at all.
    expect(await refusal(importing(good(), ''))).toMatchObject({ code: 'invalid_paper', texts: expect.arrayContaining([expect.stringContaining('（0 人）')]) });
    // Someone who is not a rater, and a name twice.
    const outsider = numbers[0]!; // a leader: a peer, not a subordinate rater here
    expect(await refusal(importing(good(), [subNo[0], subNo[0], outsider, 'QH99999'].join('\n')))).toMatchObject({
      texts: expect.arrayContaining([`纸质投票人“QH99999”不是本次测评的评价人`, expect.stringMatching(/重复列出$/), expect.stringMatching(/的问卷类别（同级）在文件中没有问卷$/)]),
    });
    expect(await state()).toEqual(before);
  });

  it('counts a good file, records its voters as having voted, and holds the slips for the box', async () => {
    const voters = subNo.slice(0, 3);
    const result = await importing(good(), voters.join('\n'));
    expect(result).toMatchObject({ ballots: 3, slips: 12, voters: 3 });
    // Three slips per (target, 下级): fewer than five, so they wait sealed like any ballot's.
    expect(await state()).toMatchObject({ box: 0, held: 12, ledger: 3, batches: 1, audits: 1 });
    expect((await turnout(t.db, campaignId)).find((r) => r.category === 'subordinate')).toMatchObject({ completed: 3 });
    const pending = await nonResponders(t.db, campaignId);
    for (const s of subordinates.slice(0, 3)) expect(pending).not.toContain(s.cadreId);
    // A paper voter cannot vote again in the chat.
    const again = await castBallot(t.db, {
      campaignId, raterCadreId: subordinates[0]!.cadreId, category: 'subordinate', clock, sealKey: KEY,
      answers: subordinates[0]!.targetIds.map((targetId) => ({ targetId, levels: Object.fromEntries(templateItems(POLITICAL_QUALITY).map((i) => [i.key, 'poor'])) })),
    });
    expect(again).toEqual({ outcome: 'already_submitted' });
  });

  it('refuses the same file again, whatever its line endings, BOM or trailing spaces', async () => {
    const before = await state();
    const copies = [good(), good().replace(/\r\n/g, '\n'), `\uFEFF${good().replace(/\r\n/g, ' \n')}\n\n`];
    for (const copy of copies) {
      const error = await importing(copy, subNo.slice(3, 6).join('\n'), 'scan-again.csv').then(() => null, (e: EvaluationError) => e);
      expect(error).toMatchObject({ code: 'duplicate_paper' });
      expect(errorText(evaluationDictionary('zh'), error!)).toMatch(/^该文件已导入过（2026-12-02 \d\d:\d\d 导入的“scan.csv”，内容相同），不能重复计票$/);
    }
    expect(await state()).toEqual(before);
  });

  it('refuses a paper vote from someone who voted already', async () => {
    const before = await state();
    const other = csv(sheet('C1', ['差', '差', '差', '差']));
    expect(await refusal(importing(other, subNo[1]!))).toMatchObject({ code: 'invalid_paper', texts: expect.arrayContaining([expect.stringMatching(/已投票，不能再计入纸质选票$/)]) });
    expect(await state()).toEqual(before);
  });

  it('takes a public sheet with its one-time code once, and then the code is used', async () => {
    const file = csv(publicSheet('G1', codes[0]!));
    expect((await refusal(importing(csv(publicSheet('G9', 'NOSUCHCODE')), ''))).texts).toEqual(['问卷 G9 的测评码无效']);
    const result = await importing(file, '');
    expect(result).toMatchObject({ ballots: 1, slips: 4, voters: 0 });
    expect(await state()).toMatchObject({ usedCodes: 1, held: 16 });
    const before = await state();
    expect((await refusal(importing(csv(publicSheet('G2', codes[0]!.toLowerCase())), ''))).texts).toEqual(['问卷 G2 的测评码已使用过']);
    expect(await state()).toEqual(before);
  });

  it('closes with every held slip counted, then accepts no import and keeps its result', async () => {
    await expect(campaignResults(t.db, campaignId)).rejects.toMatchObject({ code: 'results_sealed' });
    await closeCampaign(t.db, campaignId, fixedClock('2026-12-10T00:00:00Z'), null, KEY);
    const results = async () => (await campaignResults(t.db, campaignId)).targets.map((r) => r.score.overall);
    // 下级 as above and 群众 好 (100) for everyone; weights 0.2 and 0.2 → the mean of the two.
    expect(await results()).toEqual([100, 90, 90, 90]);
    // Leader 2: 下级 好, 较好, 一般 and 群众 好, ten items each.
    expect((await campaignResults(t.db, campaignId)).targets[1]!.score.distribution).toEqual({ 100: 20, 80: 10, 60: 10 });
    const before = await state();
    expect(before).toMatchObject({ held: 0, box: 16 });

    const late = csv(sheet('D1', ['差', '差', '差', '差']));
    const closed = await importing(late, subNo[4]!, 'late.csv', fixedClock('2026-12-11T00:00:00Z')).then(() => null, (e: EvaluationError) => e);
    expect(closed).toMatchObject({ code: 'closed' });
    expect(errorText(evaluationDictionary('zh'), closed!)).toBe('测评已结束，不能再导入纸质选票，结果不再改变');
    // Even with a clock still inside the window: the campaign is closed.
    await expect(importing(late, subNo[4]!, 'late.csv')).rejects.toMatchObject({ code: 'closed' });
    expect(await state()).toEqual(before);
    expect(await results()).toEqual([100, 90, 90, 90]);
  });
});
