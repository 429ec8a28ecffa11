import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { fixedClock } from '../../core/clock.ts';
import { seedDemo } from '../../core/demo.ts';
import { createCampaign, issuePublicCodes, leadersOfUnits, openCampaign, setTargets } from '../../core/evaluation/campaigns.ts';
import { importPaperBallots } from '../../core/evaluation/paper.ts';
import { campaignResults } from '../../core/evaluation/results.ts';
import { ensureBuiltInTemplates, latestTemplateVersion, POLITICAL_QUALITY, templateIdByKey, templateItems } from '../../core/evaluation/templates.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';

const labels = templateItems(POLITICAL_QUALITY).map((i) => i.label);

describe('paper ballots from a scanner', () => {
  let t: TestDatabase;
  let campaignId: number;
  let numbers: string[];
  const clock = fixedClock('2026-12-02T02:00:00Z');
  const slips = async () => (await t.db.execute<{ n: number }>(sql`select count(*)::int as n from evaluation_ballots`))[0]!.n;

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
    await issuePublicCodes(t.db, campaignId, { count: 1 }, null);
    await openCampaign(t.db, campaignId, clock, null);
    numbers = [];
    for (const id of leaders) numbers.push((await t.db.select({ no: cadres.employeeNo }).from(cadres).where(eq(cadres.id, id)))[0]!.no!);
  });
  afterAll(() => t.drop());

  const csv = (rows: string[][]) => [['问卷编号', '类别', '被评价人编号', ...labels, '意见建议'].join(','), ...rows.map((r) => r.join(','))].join('\r\n');
  /** A subordinate's sheet: `levels[i]` for the i-th leader, on every item. */
  const sheet = (no: string, levels: string[]) => levels.map((level, i) => [no, '下级', numbers[i]!, ...labels.map(() => level), '']);

  it('imports nothing when any row is wrong, and says which', async () => {
    const bad = csv([...sheet('A1', ['好', '好', '好', '好']), ...sheet('A2', ['好', '较好', '优', '好'])]);
    await expect(importPaperBallots(t.db, { campaignId, fileName: 'scan.csv', content: bad, clock, tz: 'Asia/Shanghai', actorId: null })).rejects.toMatchObject({
      code: 'invalid_paper',
      message: '导入失败：共 1 处错误，未导入任何选票',
      issues: [`第 8 行：${labels.map((l) => `“${l}”的选项“优”无效`).join('；')}`],
    });
    expect(await slips()).toBe(0);
  });

  it('counts a good file into the same tally, once', async () => {
    // Three subordinates: leader 1 gets 好 ×3 (100); leader 2 gets 好, 较好, 一般 (mean 80);
    // leaders 3 and 4 get 较好 ×3 (80). Only one category → its mean is the score.
    const good = csv([...sheet('B1', ['好', '好', '较好', '较好']), ...sheet('B2', ['好', '较好', '较好', '较好']), ...sheet('B3', ['好', '一般', '较好', '较好'])]);
    const result = await importPaperBallots(t.db, { campaignId, fileName: 'scan.csv', content: good, clock, tz: 'Asia/Shanghai', actorId: null });
    expect(result).toMatchObject({ ballots: 3, slips: 12 });
    const results = await campaignResults(t.db, campaignId);
    expect(results.targets.map((r) => r.score.overall)).toEqual([100, 80, 80, 80]);
    expect(results.targets.map((r) => r.districtRank!.rank)).toEqual([1, 2, 2, 2]);
    expect(results.targets[1]!.score.categories.subordinate!.distribution).toEqual({ 100: 10, 80: 10, 60: 10 });

    await expect(importPaperBallots(t.db, { campaignId, fileName: 'again.csv', content: good, clock, tz: 'Asia/Shanghai', actorId: null })).rejects.toThrow('该文件已导入过，不能重复计票');
    expect(await slips()).toBe(12);
    const [audit] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from audit_log where entity = 'evaluation_paper_batch'`);
    expect(audit!.n).toBe(1);
  });
});
