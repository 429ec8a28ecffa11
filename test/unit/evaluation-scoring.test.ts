import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ALERT_RULES,
  DEFAULT_FLAG_RULES,
  DEFAULT_WEIGHTS,
  dominanceFlag,
  gradeAlerts,
  gradeShares,
  rankScores,
  scoreTarget,
  suppressedCategories,
  weightedMean,
  type CategoryTally,
  type TargetTally,
} from '../../core/evaluation/scoring.ts';
import { evaluationDictionary } from '../../web/pages/evaluation/text.ts';

const wording = evaluationDictionary('zh').results;

/** Builds a category tally from each ballot's answers: {item: score} per ballot. */
function tallyOf(ballots: Array<Record<string, number>>, grades: CategoryTally['grades'] = {}): CategoryTally {
  const t: CategoryTally = { ballots: ballots.length, flagged: 0, items: {}, levels: {}, grades };
  for (const ballot of ballots) {
    for (const [item, score] of Object.entries(ballot)) {
      const s = (t.items[item] ??= { sum: 0, count: 0 });
      s.sum += score;
      s.count += 1;
      t.levels[score] = (t.levels[score] ?? 0) + 1;
    }
  }
  return t;
}

const ctx = {
  weights: DEFAULT_WEIGHTS,
  dimensions: { x: ['x1', 'x2'], y: ['y1'] },
  topScore: 100,
  alertRules: DEFAULT_ALERT_RULES,
};

describe('weighted scores (hand-computed)', () => {
  // superior (3 ballots): x1 100,100,80 = 280; x2 80,80,80 = 240; y1 60,60,60 = 180 → 700/9
  // peer (3 ballots):     x1 100×3 = 300;      x2 100×3 = 300;    y1 100,80,80 = 260 → 860/9
  // subordinate (4):      x1 80×4 = 320;       x2 60×4 = 240;     y1 40×4 = 160      → 720/12 = 60
  // public: none → weights renormalised over 0.3 + 0.3 + 0.2 = 0.8: 0.375 / 0.375 / 0.25
  const tally: TargetTally = {
    superior: tallyOf([
      { x1: 100, x2: 80, y1: 60 },
      { x1: 100, x2: 80, y1: 60 },
      { x1: 80, x2: 80, y1: 60 },
    ]),
    peer: tallyOf([
      { x1: 100, x2: 100, y1: 100 },
      { x1: 100, x2: 100, y1: 80 },
      { x1: 100, x2: 100, y1: 80 },
    ]),
    subordinate: tallyOf(Array.from({ length: 4 }, () => ({ x1: 80, x2: 60, y1: 40 }))),
  };
  const score = scoreTarget(tally, ctx);

  it('renormalises the weights over the categories present when one is missing', () => {
    // overall = (0.3·700/9 + 0.3·860/9 + 0.2·60) / 0.8 = (0.3·1560/9 + 12) / 0.8 = (52 + 12) / 0.8 = 80
    expect(score.overall).toBe(80);
    expect(score.weightsApplied).toEqual({ superior: 0.375, peer: 0.375, subordinate: 0.25 });
  });

  it('scores each dimension with the same weights', () => {
    // x: superior 520/6 = 86.67, peer 600/6 = 100, subordinate 560/8 = 70
    //    (0.3·520/6 + 0.3·100 + 0.2·70) / 0.8 = (26 + 30 + 14) / 0.8 = 87.5
    // y: superior 60, peer 260/3 = 86.67, subordinate 40 → (18 + 26 + 8) / 0.8 = 65
    expect(score.dimensions).toEqual({ x: 87.5, y: 65 });
  });

  it('counts 好评率 over all answers, unweighted', () => {
    // answers at 100: superior 2 + peer 7 + subordinate 0 = 9 of 9 + 9 + 12 = 30 → 0.3
    expect(score.topShare).toBeCloseTo(0.3, 10);
    // 80: superior 1 + 3, peer 2, subordinate 4 = 10; 60: superior 3 + subordinate 4 = 7; 40: 4
    expect(score.distribution).toEqual({ 100: 9, 80: 10, 60: 7, 40: 4 });
    expect(score.categories.peer).toEqual({ ballots: 3, mean: 95.56, distribution: { 100: 7, 80: 2 }, topShare: 7 / 9 });
    expect(score.ballots).toBe(10);
  });

  it('flags categories that disagree strongly', () => {
    // peer 95.56 vs subordinate 60: 35.56 points ≥ 15
    expect(score.flags).toEqual([
      expect.objectContaining({ rule: 'category_disagreement', categories: ['peer', 'subordinate'], points: 35.56 }),
    ]);
    expect(wording.flagText(score.flags[0]!)).toBe('同级评价（95.56）与下级评价（60）相差 35.56 分');
  });

  it('a target with a single category is scored by it alone', () => {
    const only = scoreTarget({ public: tallyOf([{ x1: 60, x2: 40, y1: 100 }, { x1: 80, x2: 60, y1: 100 }, { x1: 80, x2: 60, y1: 100 }]) }, ctx);
    // (60+40+100+80+60+100+80+60+100) / 9 = 680/9 = 75.56
    expect(only.overall).toBe(75.56);
    expect(only.weightsApplied).toEqual({ public: 1 });
  });

  it('a target nobody rated has no score', () => {
    expect(scoreTarget({}, ctx).overall).toBeNull();
    expect(weightedMean({}, DEFAULT_WEIGHTS)).toBeNull();
  });

  it('weighted mean of two categories', () => {
    // (0.3·80 + 0.2·60) / 0.5 = (24 + 12) / 0.5 = 72
    expect(weightedMean({ peer: 80, public: 60 }, DEFAULT_WEIGHTS)).toBeCloseTo(72, 10);
  });
});

describe('ranking with ties', () => {
  it('uses standard competition ranking and the share of others scoring lower', () => {
    const ranks = rankScores([
      { id: 'a', score: 90 },
      { id: 'b', score: 80.001 },
      { id: 'c', score: 79.999 }, // rounds to 80.00: a tie with b
      { id: 'd', score: 70 },
      { id: 'e', score: null },
    ]);
    // 4 ranked: a 1, b 2, c 2, d 4. Percentile = others strictly lower ÷ 3:
    // a 3/3 = 100; b, c 1/3 = 33.33; d 0
    expect(ranks.get('a')).toEqual({ rank: 1, percentile: 100, of: 4 });
    expect(ranks.get('b')).toEqual({ rank: 2, percentile: 33.33, of: 4 });
    expect(ranks.get('c')).toEqual({ rank: 2, percentile: 33.33, of: 4 });
    expect(ranks.get('d')).toEqual({ rank: 4, percentile: 0, of: 4 });
    expect(ranks.has('e')).toBe(false);
  });

  it('a three-way tie at the top shares rank 1; a lone target is at the 100th percentile', () => {
    const ranks = rankScores([{ id: 1, score: 85 }, { id: 2, score: 85 }, { id: 3, score: 85 }, { id: 4, score: 60 }]);
    expect([1, 2, 3, 4].map((id) => ranks.get(id)!.rank)).toEqual([1, 1, 1, 4]);
    expect(ranks.get(1)!.percentile).toBe(33.33); // 1 of 3 others lower
    expect(rankScores([{ id: 1, score: 50 }]).get(1)).toEqual({ rank: 1, percentile: 100, of: 1 });
  });
});

describe('hiding small categories', () => {
  it('hides a category with fewer than 3 ballots and one more so it cannot be subtracted out', () => {
    // superior 2 < 3 is hidden; alone it could be derived from the totals, so the smallest
    // visible one (peer, 5) goes too.
    expect([...suppressedCategories({ superior: 2, peer: 5, subordinate: 8 })].sort()).toEqual(['peer', 'superior']);
  });

  it('keeps hiding until the hidden ballots reach 3 together', () => {
    // superior 1 + peer 1 = 2 < 3 → add public (4, smaller than subordinate 10)
    expect([...suppressedCategories({ superior: 1, peer: 1, subordinate: 10, public: 4 })].sort()).toEqual(['peer', 'public', 'superior']);
  });

  it('hides nothing when every category has 3 ballots or more', () => {
    expect(suppressedCategories({ superior: 3, peer: 3, subordinate: 3, public: 3 }).size).toBe(0);
  });

  it('leaves hidden categories out of the breakdown but not out of the score', () => {
    const tally: TargetTally = {
      superior: tallyOf([{ x1: 40, x2: 40, y1: 40 }]),
      peer: tallyOf(Array.from({ length: 4 }, () => ({ x1: 100, x2: 100, y1: 100 }))),
      subordinate: tallyOf(Array.from({ length: 5 }, () => ({ x1: 80, x2: 80, y1: 80 }))),
    };
    const score = scoreTarget(tally, ctx);
    expect(score.hiddenCategories).toEqual(['superior', 'peer']);
    expect(Object.keys(score.categories)).toEqual(['subordinate']);
    // (0.3·40 + 0.3·100 + 0.2·80) / 0.8 = (12 + 30 + 16) / 0.8 = 72.5
    expect(score.overall).toBe(72.5);
  });
});

describe('alert rules on overall grades', () => {
  it('flags 优秀+称职 under 60% and 不称职 over one third, with the figures', () => {
    // 3 + 2 = 5 of 10 graded = 50% < 60%; 不称职 4 of 10 = 40% > 33.33%
    const tally: TargetTally = {
      peer: tallyOf([], { excellent: 3, competent: 2 }),
      subordinate: tallyOf([], { basically_competent: 1, incompetent: 4 }),
    };
    const alerts = gradeAlerts(gradeShares(tally), DEFAULT_ALERT_RULES);
    expect(alerts.map(wording.alertText)).toEqual([
      '优秀和称职票 5/10（50%），低于 60%',
      '不称职票 4/10（40%），超过 33.33%',
    ]);
  });

  it('does not flag exactly at the thresholds', () => {
    // 6/10 = 60% is not under 60%; 1/3 is not over one third
    expect(gradeAlerts(gradeShares({ peer: tallyOf([], { excellent: 6, basically_competent: 4 }) }), DEFAULT_ALERT_RULES)).toEqual([]);
    expect(gradeAlerts(gradeShares({ peer: tallyOf([], { competent: 2, incompetent: 1 }) }), DEFAULT_ALERT_RULES)).toEqual([]);
  });

  it('says nothing when no ballot gave a grade', () => {
    expect(gradeAlerts(gradeShares({ peer: tallyOf([{ x1: 100 }]) }), DEFAULT_ALERT_RULES)).toEqual([]);
  });
});

describe('small-group dominance', () => {
  it('flags a small category that moves the score, with the shift when it is shown', () => {
    // superior 3 of 43 ballots (7% < 10%), mean 40; peer 40 ballots, mean 100.
    // with: (0.3·40 + 0.3·100) / 0.6 = 70; without: 100 → shift 30 ≥ 5
    const tally: TargetTally = {
      superior: tallyOf(Array.from({ length: 3 }, () => ({ x1: 40 }))),
      peer: tallyOf(Array.from({ length: 40 }, () => ({ x1: 100 }))),
    };
    const flag = dominanceFlag(tally, DEFAULT_WEIGHTS, DEFAULT_FLAG_RULES);
    expect(flag).toMatchObject({ rule: 'small_group_dominance', categories: ['superior'], points: 30 });
    expect(wording.flagText(flag!)).toBe('上级仅 3/43 票，却使总分变动 30 分');
  });

  it('names a hidden small category without the figure that would reveal it', () => {
    const tally: TargetTally = {
      superior: tallyOf([{ x1: 40 }]),
      peer: tallyOf(Array.from({ length: 20 }, () => ({ x1: 100 }))),
    };
    const score = scoreTarget(tally, { ...ctx, dimensions: { x: ['x1'] } });
    const flag = score.flags.find((f) => f.rule === 'small_group_dominance');
    expect(flag).toMatchObject({ categories: ['superior'], points: null });
    expect(wording.flagText(flag!)).not.toMatch(/\d+ 分/);
  });

  it('does not flag a small category that agrees with the rest', () => {
    const tally: TargetTally = {
      superior: tallyOf(Array.from({ length: 3 }, () => ({ x1: 98 }))),
      peer: tallyOf(Array.from({ length: 40 }, () => ({ x1: 100 }))),
    };
    expect(dominanceFlag(tally, DEFAULT_WEIGHTS, DEFAULT_FLAG_RULES)).toBeNull();
  });
});
