/**
 * A closed campaign with hand-computed results on the demo district, shared by the results
 * integration and browser tests.
 */
import { fixedClock } from '../../core/clock.ts';
import { closeCampaign, createCampaign, issuePublicCodes, leadersOfUnits, openCampaign, proposeRaters, saveRaters, setTargets, type RaterAssignment } from '../../core/evaluation/campaigns.ts';
import { castBallot, type TargetAnswers } from '../../core/evaluation/ballots.ts';
import { ANNUAL_ASSESSMENT, ensureBuiltInTemplates, latestTemplateVersion, templateIdByKey, templateItems } from '../../core/evaluation/templates.ts';
import type { OverallGrade } from '../../db/schema/evaluation.ts';
import type { Db } from '../../db/client.ts';
import { TEST_SEAL_KEY } from './panel.ts';

const ITEMS = templateItems(ANNUAL_ASSESSMENT).map((i) => i.key);
/** A comment that would run as script if the page did not escape it. */
export const XSS = '<script>alert("x")</script>工作很认真';

function answersFor(targetIds: number[], level: (id: number) => string, grade: (id: number) => OverallGrade, comment?: (id: number) => string | undefined): TargetAnswers[] {
  return targetIds.map((targetId) => ({ targetId, levels: Object.fromEntries(ITEMS.map((k) => [k, level(targetId)])), grade: grade(targetId), comment: comment?.(targetId) ?? null }));
}

// The hand-computed campaign (2026 annual, 区委组织部 "A" and 东山街道 "B"; scale 好100 较好80 一般60 差40;
// weights 上级 .3 同级 .3 下级 .2 群众 .2; no public raters, so present weights are renormalised over 0.8).
//
// T1 = A's first leader.
//   上级: 3 district leaders give 好 (100), 优秀.   同级: A's 3 other leaders give 较好 (80), 称职.
//   下级: 4 of A's staff give 一般 (60), 基本称职.
//   overall = (0.3·100 + 0.3·80 + 0.2·60) / 0.8 = 66 / 0.8 = 82.5 (every dimension too).
//   好评率 = 3 ballots × 10 items at 100 / (10 ballots × 10 items) = 30%.
//   grades: 优秀 3 + 称职 3 = 6/10 = 60%, not below 60% → no alert; 不称职 0.
//   flag: 上级 100 vs 下级 60, 40 points ≥ 15 → "上级评价（100）与下级评价（60）相差 40 分".
//   Every other A leader gets 80 from everyone → 80, so T1 ranks 1/4 in A and 1st in the district.
// T2 = B's first leader.
//   上级: the same 3 give 一般 (60), 基本称职.   同级: 2 of B's leaders give 差 (40), 不称职.
//   下级: 4 of B's staff give 好 (100), 优秀.
//   overall = (0.3·60 + 0.3·40 + 0.2·100) / 0.8 = 50 / 0.8 = 62.5.
//   好评率 = 40 / 90 = 44.4%.  grades: 优秀+称职 4/9 = 44.44% < 60% → alert; 不称职 2/9 = 22.2%, no alert.
//   同级 has 2 ballots (< 3) → hidden; hiding one category alone would let it be deduced, so the
//   smallest visible one (上级, 3) is hidden too: only 下级 is shown.
//   Every other B leader gets 80 → T2 is last in B and last in the district (percentile 0).
// The 2025 campaign: A's leaders only, 3 public ballots of 较好 → T1's curve is 80 → 82.5.
export async function buildResultsCampaign(db: Db, where: { orgUnit: number; dongshan: number }, sealKey = TEST_SEAL_KEY) {
  const { orgUnit, dongshan } = where;
  await ensureBuiltInTemplates(db);
    const templateVersionId = (await latestTemplateVersion(db, (await templateIdByKey(db, 'annual_assessment'))!))!.id;
    const leadersA = await leadersOfUnits(db, [orgUnit]);
    const leadersB = await leadersOfUnits(db, [dongshan]);
    const [T1, T2] = [leadersA[0]!, leadersB[0]!];

    // 2025: public ballots only.
    const c2025 = await createCampaign(db, { title: '2025年度民主测评', kind: 'annual', year: 2025, templateVersionId, unitIds: [orgUnit], opensAt: new Date('2025-12-01T00:00:00Z'), closesAt: new Date('2025-12-10T00:00:00Z') }, null);
    await setTargets(db, c2025.id, leadersA, null);
    const codes = await issuePublicCodes(db, c2025.id, { count: 3 }, null);
    await openCampaign(db, c2025.id, fixedClock('2025-12-02T00:00:00Z'), null);
    for (const code of codes) {
      await castBallot(db, { campaignId: c2025.id, publicCode: code, clock: fixedClock('2025-12-02T00:00:00Z'), sealKey, answers: answersFor(leadersA, () => 'fairly_good', () => 'competent') });
    }
    await closeCampaign(db, c2025.id, fixedClock('2025-12-11T00:00:00Z'), null, sealKey);

    // 2026: the hand-computed campaign.
    const clock = fixedClock('2026-12-02T02:00:00Z');
    const campaign = await createCampaign(db, { title: '2026年度民主测评', kind: 'annual', year: 2026, templateVersionId, unitIds: [orgUnit, dongshan], opensAt: new Date('2026-12-01T00:00:00Z'), closesAt: new Date('2026-12-10T00:00:00Z') }, null);
    const campaignId = campaign.id;
    await setTargets(db, campaignId, [...leadersA, ...leadersB], null);
    const proposal: RaterAssignment[] = await proposeRaters(db, campaignId);
    await saveRaters(db, campaignId, proposal, null);
    await openCampaign(db, campaignId, clock, null);
    const cast = async (p: RaterAssignment, level: (id: number) => string, grade: (id: number) => OverallGrade, comment?: (id: number) => string | undefined) => {
      const r = await castBallot(db, { campaignId, raterCadreId: p.cadreId, category: p.category, clock, sealKey, answers: answersFor(p.targetIds, level, grade, comment) });
      if (r.outcome !== 'accepted') throw new Error(`ballot not accepted: ${r.outcome}`);
    };
    const inUnit = (ids: number[]) => (p: RaterAssignment) => p.targetIds.every((id) => ids.includes(id));
    for (const p of proposal.filter((x) => x.category === 'superior').slice(0, 3)) {
      await cast(p, (id) => (id === T1 ? 'good' : id === T2 ? 'average' : 'fairly_good'), (id) => (id === T1 ? 'excellent' : id === T2 ? 'basically_competent' : 'competent'));
    }
    for (const p of proposal.filter((x) => x.category === 'peer' && inUnit(leadersA)(x))) await cast(p, () => 'fairly_good', () => 'competent');
    for (const [i, p] of proposal.filter((x) => x.category === 'subordinate' && inUnit(leadersA)(x)).slice(0, 4).entries()) {
      await cast(p, (id) => (id === T1 ? 'average' : 'fairly_good'), (id) => (id === T1 ? 'basically_competent' : 'competent'), (id) => (id === T1 ? (i === 0 ? XSS : i === 1 ? '希望多下基层' : undefined) : undefined));
    }
    for (const p of proposal.filter((x) => x.category === 'peer' && x.targetIds.includes(T2)).slice(0, 2)) {
      await cast(p, (id) => (id === T2 ? 'poor' : 'fairly_good'), (id) => (id === T2 ? 'incompetent' : 'competent'));
    }
    for (const p of proposal.filter((x) => x.category === 'subordinate' && inUnit(leadersB)(x)).slice(0, 4)) {
      await cast(p, (id) => (id === T2 ? 'good' : 'fairly_good'), (id) => (id === T2 ? 'excellent' : 'competent'));
    }
    await closeCampaign(db, campaignId, fixedClock('2026-12-10T00:00:01Z'), null, sealKey);
  return { leadersA, leadersB, T1, T2, campaignId, lastYear: c2025.id };
}
