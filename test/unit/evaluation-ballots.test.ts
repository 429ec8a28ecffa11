import { describe, expect, it } from 'vitest';
import { checkBallot, type TargetAnswers } from '../../core/evaluation/ballots.ts';
import { ANNUAL_ASSESSMENT, POLITICAL_QUALITY, templateItems } from '../../core/evaluation/templates.ts';
import { evaluationDictionary, issueText } from '../../web/pages/evaluation/text.ts';

const zh = evaluationDictionary('zh');

const items = templateItems(POLITICAL_QUALITY).map((i) => i.key);
const all = (targetId: number, level: string): TargetAnswers => ({ targetId, levels: Object.fromEntries(items.map((k) => [k, level])) });
const names = new Map([[1, '张伟'], [2, '李娜'], [3, '王强']]);

describe('checking a ballot', () => {
  it('accepts a complete ballot and turns levels into scores', () => {
    const { issues, ballot } = checkBallot(POLITICAL_QUALITY, { targetIds: [1, 2], raterCadreId: 9, answers: [all(1, 'good'), all(2, 'average')], rules: { maxTopShare: null } });
    expect(issues).toEqual([]);
    expect(ballot.slips.map((s) => [s.targetId, Object.values(s.scores).reduce((a, b) => a + b, 0)])).toEqual([[1, 1000], [2, 600]]);
    expect(ballot.flagged).toBe(false);
  });

  it('names every target and item left out, and refuses rating oneself or strangers', () => {
    const partial = all(1, 'good');
    delete partial.levels.loyalty_party;
    const { issues } = checkBallot(POLITICAL_QUALITY, {
      targetIds: [1, 2, 3],
      raterCadreId: 3,
      answers: [partial, all(3, 'good'), all(4, 'good')],
      rules: { maxTopShare: null },
      targetNames: names,
    });
    expect(issues.map((i) => issueText(zh, i))).toEqual(['张伟 未评价：对党忠诚老实', '不能评价自己', '编号 4 不是您的评价对象', '还有 1 位评价对象未评价：李娜']);
  });

  it('refuses unknown levels and a missing overall grade', () => {
    const odd = { ...all(1, 'good'), levels: { ...all(1, 'good').levels, ability_risk: 'excellent' } };
    expect(checkBallot(POLITICAL_QUALITY, { targetIds: [1], raterCadreId: null, answers: [odd], rules: { maxTopShare: null }, targetNames: names }).issues.map((i) => issueText(zh, i))).toEqual(['张伟 未评价：防范化解风险']);
    const annual = templateItems(ANNUAL_ASSESSMENT).map((i) => i.key);
    const noGrade = { targetId: 1, levels: Object.fromEntries(annual.map((k) => [k, 'good'])) };
    expect(checkBallot(ANNUAL_ASSESSMENT, { targetIds: [1], raterCadreId: null, answers: [noGrade], rules: { maxTopShare: null }, targetNames: names }).issues.map((i) => issueText(zh, i))).toEqual(['张伟 未选择总体评价（优秀/称职/基本称职/不称职）']);
  });

  it('flags, but accepts, a ballot giving 好 to more than the set share', () => {
    // 2 targets × 10 items: 15 at 好 = 75%. Over 70% → flagged; 80% → not.
    const mixed = { targetId: 2, levels: Object.fromEntries(items.map((k, i) => [k, i < 5 ? 'good' : 'fairly_good'])) };
    const input = { targetIds: [1, 2], raterCadreId: null, answers: [all(1, 'good'), mixed] };
    expect(checkBallot(POLITICAL_QUALITY, { ...input, rules: { maxTopShare: 0.7 } })).toMatchObject({ issues: [], ballot: { flagged: true } });
    expect(checkBallot(POLITICAL_QUALITY, { ...input, rules: { maxTopShare: 0.8 } }).ballot.flagged).toBe(false);
  });
});
