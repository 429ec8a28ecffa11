/**
 * @module
 * The scoring rules, as pure functions over tallies (counts and sums), so that every figure the
 * department sees can be computed by hand. The rules:
 *
 * - **Category mean.** For one target and one rater category (上级/同级/下级/群众), the mean of
 *   every answer in scope (one dimension's items, or all items for the overall score). Every
 *   answer counts once, so a dimension with more items weighs more in the overall score.
 * - **Weighted score.** Σ wᶜ·meanᶜ / Σ wᶜ over the categories that have answers for the target.
 *   A missing category does not count as zero: the weights of those present are renormalised
 *   to sum to 1 (e.g. no public raters with 0.3/0.3/0.2/0.2 → 0.375/0.375/0.25).
 * - **好评率 (top share).** Answers at the top level of the scale ÷ all answers, unweighted.
 * - **Overall grades** (优秀/称职/基本称职/不称职): shares of the ballots that gave one,
 *   unweighted, as in the annual assessment's vote count.
 * - **Rank.** Standard competition ranking on the score rounded to 2 decimals (1, 2, 2, 4).
 *   **Percentile**: the share of the *other* targets with a strictly lower score (top 100, bottom 0;
 *   a lone target 100).
 * - **Suppression.** A category's breakdown is hidden when it has fewer than 3 ballots. If that
 *   hides exactly one category, or hidden categories hold fewer than 3 ballots together, the
 *   smallest visible categories are hidden too, because the overall figures minus the visible
 *   breakdowns would otherwise reveal the hidden one. Hidden categories still count in scores.
 */
import type { OverallGrade, RaterCategory } from '../../db/schema/evaluation.ts';

export const CATEGORIES: readonly RaterCategory[] = ['superior', 'peer', 'subordinate', 'public'];
export const CATEGORY_LABELS: Record<RaterCategory, string> = { superior: '上级', peer: '同级', subordinate: '下级', public: '群众' };

export type Weights = Record<RaterCategory, number>;
export const DEFAULT_WEIGHTS: Weights = { superior: 0.3, peer: 0.3, subordinate: 0.2, public: 0.2 };

/** Fewer ballots than this in a category and its breakdown is not shown. */
export const MIN_BALLOTS_SHOWN = 3;

export interface SumCount {
  sum: number;
  count: number;
}

/** What one rater category said about one target. */
export interface CategoryTally {
  /** Ballots (slips) for this target from this category. */
  ballots: number;
  flagged: number;
  /** Per item key: sum and count of scores. */
  items: Record<string, SumCount>;
  /** Per scale score: how many answers gave it (the distribution). */
  levels: Record<number, number>;
  /** Per overall grade: how many ballots gave it. */
  grades: Partial<Record<OverallGrade, number>>;
}

export type TargetTally = Partial<Record<RaterCategory, CategoryTally>>;

export interface AlertRules {
  /** Flag when (优秀 + 称职) ÷ graded ballots is below this. */
  minExcellentCompetentShare: number;
  /** Flag when 不称职 ÷ graded ballots is above this. */
  maxIncompetentShare: number;
}
export const DEFAULT_ALERT_RULES: AlertRules = { minExcellentCompetentShare: 0.6, maxIncompetentShare: 1 / 3 };

export interface FlagRules {
  /** Categories whose means differ by at least this many points disagree. */
  disagreementPoints: number;
  /** A category with less than this share of the target's ballots is a small group… */
  smallGroupShare: number;
  /** …which dominates when leaving it out moves the overall score by at least this much. */
  dominancePoints: number;
}
export const DEFAULT_FLAG_RULES: FlagRules = { disagreementPoints: 15, smallGroupShare: 0.1, dominancePoints: 5 };

export const round2 = (n: number): number => Math.round(n * 100) / 100;

function addInto(total: SumCount, part: SumCount | undefined): void {
  if (!part) return;
  total.sum += part.sum;
  total.count += part.count;
}

/** Sum and count of a category's answers, restricted to `itemKeys` when given. */
export function categorySumCount(tally: CategoryTally | undefined, itemKeys?: readonly string[]): SumCount {
  const total = { sum: 0, count: 0 };
  if (!tally) return total;
  for (const key of itemKeys ?? Object.keys(tally.items)) addInto(total, tally.items[key]);
  return total;
}

export function categoryMean(tally: CategoryTally | undefined, itemKeys?: readonly string[]): number | null {
  const { sum, count } = categorySumCount(tally, itemKeys);
  return count === 0 ? null : sum / count;
}

/**
 * Σ wᶜ·meanᶜ / Σ wᶜ over the categories with a mean; null when no category has one.
 * @example weightedMean({ peer: 80, public: 60 }, DEFAULT_WEIGHTS) // (0.3·80 + 0.2·60) / 0.5 = 72
 */
export function weightedMean(means: Partial<Record<RaterCategory, number | null>>, weights: Weights): number | null {
  let weighted = 0;
  let weightSum = 0;
  for (const category of CATEGORIES) {
    const mean = means[category];
    if (mean == null || weights[category] <= 0) continue;
    weighted += weights[category] * mean;
    weightSum += weights[category];
  }
  return weightSum === 0 ? null : weighted / weightSum;
}

/** The weights actually applied to a target: renormalised over the categories present. */
export function effectiveWeights(present: readonly RaterCategory[], weights: Weights): Partial<Weights> {
  const total = present.reduce((s, c) => s + weights[c], 0);
  const result: Partial<Weights> = {};
  // Rounded for display only; scores use the exact ratio.
  if (total > 0) for (const c of present) result[c] = Math.round((weights[c] / total) * 1e6) / 1e6;
  return result;
}

export function weightedScore(tally: TargetTally, weights: Weights, itemKeys?: readonly string[]): number | null {
  const means: Partial<Record<RaterCategory, number | null>> = {};
  for (const c of CATEGORIES) means[c] = categoryMean(tally[c], itemKeys);
  return weightedMean(means, weights);
}

/** 好评率: answers at `topScore` ÷ all answers, across categories, unweighted. */
export function topShare(tally: TargetTally, topScore: number): number | null {
  let top = 0;
  let all = 0;
  for (const c of CATEGORIES) {
    const t = tally[c];
    if (!t) continue;
    for (const [score, n] of Object.entries(t.levels)) {
      all += n;
      if (Number(score) === topScore) top += n;
    }
  }
  return all === 0 ? null : top / all;
}

export interface GradeShares {
  graded: number;
  counts: Record<OverallGrade, number>;
  excellentCompetentShare: number | null;
  incompetentShare: number | null;
}

export function gradeShares(tally: TargetTally): GradeShares {
  const counts: Record<OverallGrade, number> = { excellent: 0, competent: 0, basically_competent: 0, incompetent: 0 };
  for (const c of CATEGORIES) for (const [g, n] of Object.entries(tally[c]?.grades ?? {})) counts[g as OverallGrade] += n ?? 0;
  const graded = counts.excellent + counts.competent + counts.basically_competent + counts.incompetent;
  return {
    graded,
    counts,
    excellentCompetentShare: graded === 0 ? null : (counts.excellent + counts.competent) / graded,
    incompetentShare: graded === 0 ? null : counts.incompetent / graded,
  };
}

export interface Alert {
  rule: 'excellent_competent_low' | 'incompetent_high';
  share: number;
  threshold: number;
  count: number;
  graded: number;
}

/** The department's alert rules on overall grades; nothing when no ballot gave a grade. */
export function gradeAlerts(shares: GradeShares, rules: AlertRules): Alert[] {
  const alerts: Alert[] = [];
  const { graded, counts } = shares;
  if (graded === 0) return alerts;
  const good = counts.excellent + counts.competent;
  if (shares.excellentCompetentShare! < rules.minExcellentCompetentShare) {
    alerts.push({
      rule: 'excellent_competent_low',
      share: shares.excellentCompetentShare!,
      threshold: rules.minExcellentCompetentShare,
      count: good,
      graded,
    });
  }
  if (shares.incompetentShare! > rules.maxIncompetentShare) {
    alerts.push({
      rule: 'incompetent_high',
      share: shares.incompetentShare!,
      threshold: rules.maxIncompetentShare,
      count: counts.incompetent,
      graded,
    });
  }
  return alerts;
}

/**
 * Which categories' breakdowns to hide (see the module rule). Categories without ballots are
 * neither shown nor counted.
 */
export function suppressedCategories(ballots: Partial<Record<RaterCategory, number>>, min = MIN_BALLOTS_SHOWN): Set<RaterCategory> {
  const present = CATEGORIES.filter((c) => (ballots[c] ?? 0) > 0);
  const hidden = new Set(present.filter((c) => ballots[c]! < min));
  if (hidden.size === 0) return hidden;
  const hiddenBallots = () => [...hidden].reduce((s, c) => s + ballots[c]!, 0);
  // Hide the next-smallest visible category until subtraction cannot isolate what is hidden.
  const visible = present.filter((c) => !hidden.has(c)).sort((a, b) => ballots[a]! - ballots[b]! || CATEGORIES.indexOf(a) - CATEGORIES.indexOf(b));
  while ((hidden.size < 2 || hiddenBallots() < min) && visible.length > 0) hidden.add(visible.shift()!);
  return hidden;
}

export interface Flag {
  rule: 'category_disagreement' | 'small_group_dominance';
  categories: RaterCategory[];
  /** The gap or shift in points; null where showing it would reveal a hidden category. */
  points: number | null;
  /** Disagreement: the two categories' means, rounded, in the order of `categories`. */
  means?: [number, number];
  /** Dominance of a shown category: its ballots and all ballots. */
  ballots?: { count: number; of: number };
}

/** Categories whose overall means differ by at least `points` (only categories shown). */
export function disagreementFlag(means: Partial<Record<RaterCategory, number>>, rules: FlagRules): Flag | null {
  const entries = CATEGORIES.filter((c) => means[c] != null).map((c) => [c, means[c]!] as const);
  if (entries.length < 2) return null;
  const high = entries.reduce((a, b) => (b[1] > a[1] ? b : a));
  const low = entries.reduce((a, b) => (b[1] < a[1] ? b : a));
  const gap = high[1] - low[1];
  if (gap < rules.disagreementPoints) return null;
  return {
    rule: 'category_disagreement',
    categories: [high[0], low[0]],
    points: round2(gap),
    means: [round2(high[1]), round2(low[1])],
  };
}

/**
 * A small group dominates when a category with less than `smallGroupShare` of the ballots
 * moves the overall score by `dominancePoints` or more: the score without it, renormalised,
 * is compared with the score with it.
 */
export function dominanceFlag(
  tally: TargetTally,
  weights: Weights,
  rules: FlagRules,
  hidden: ReadonlySet<RaterCategory> = new Set(),
): Flag | null {
  const total = CATEGORIES.reduce((s, c) => s + (tally[c]?.ballots ?? 0), 0);
  const withAll = weightedScore(tally, weights);
  if (withAll == null || total === 0) return null;
  let worst: Flag | null = null;
  let worstShift = 0;
  for (const c of CATEGORIES) {
    const n = tally[c]?.ballots ?? 0;
    if (n === 0 || n / total >= rules.smallGroupShare) continue;
    const without = weightedScore({ ...tally, [c]: undefined }, weights);
    if (without == null) continue;
    const shift = Math.abs(withAll - without);
    if (shift >= rules.dominancePoints && shift > worstShift) {
      worstShift = shift;
      worst = {
        rule: 'small_group_dominance',
        categories: [c],
        // The shift of a hidden category would let a reader work out its mean: name it only.
        points: hidden.has(c) ? null : round2(shift),
        ballots: hidden.has(c) ? undefined : { count: n, of: total },
      };
    }
  }
  return worst;
}

export interface Ranked {
  rank: number;
  percentile: number;
  of: number;
}

/**
 * Standard competition ranking, highest score first, on scores rounded to 2 decimals; null
 * scores are not ranked.
 * @example rankScores([{id:1,score:90},{id:2,score:80},{id:3,score:80},{id:4,score:70}])
 *   // ranks 1, 2, 2, 4; percentiles 100, 33.33, 33.33, 0
 */
export function rankScores<K>(entries: ReadonlyArray<{ id: K; score: number | null }>): Map<K, Ranked> {
  const scored = entries.filter((e) => e.score != null).map((e) => ({ id: e.id, score: round2(e.score!) }));
  scored.sort((a, b) => b.score - a.score);
  const n = scored.length;
  const result = new Map<K, Ranked>();
  scored.forEach((e, i) => {
    const rank = i > 0 && scored[i - 1]!.score === e.score ? result.get(scored[i - 1]!.id)!.rank : i + 1;
    // Targets ranked after every tie of this score are strictly lower.
    let lower = n - i - 1;
    for (let j = i + 1; j < n && scored[j]!.score === e.score; j++) lower--;
    result.set(e.id, { rank, percentile: n === 1 ? 100 : round2((lower / (n - 1)) * 100), of: n });
  });
  return result;
}

export interface CategoryBreakdown {
  ballots: number;
  /** Mean of all answers from this category. */
  mean: number;
  /** Per scale score: the number of answers. */
  distribution: Record<number, number>;
  topShare: number | null;
}

export interface TargetScore {
  overall: number | null;
  dimensions: Record<string, number | null>;
  topShare: number | null;
  ballots: number;
  flaggedBallots: number;
  weightsApplied: Partial<Weights>;
  /** Only categories that may be shown; hidden ones are listed in `hiddenCategories`. */
  categories: Partial<Record<RaterCategory, CategoryBreakdown>>;
  hiddenCategories: RaterCategory[];
  /** The distribution over all categories together. */
  distribution: Record<number, number>;
  grades: GradeShares;
  alerts: Alert[];
  flags: Flag[];
}

export interface ScoringContext {
  weights: Weights;
  /** Dimension key → its item keys. */
  dimensions: Record<string, readonly string[]>;
  topScore: number;
  alertRules: AlertRules;
  flagRules?: FlagRules;
}

/** Everything the results page shows about one target, from its tally. */
export function scoreTarget(tally: TargetTally, ctx: ScoringContext): TargetScore {
  const flagRules = ctx.flagRules ?? DEFAULT_FLAG_RULES;
  const ballotsBy: Partial<Record<RaterCategory, number>> = {};
  for (const c of CATEGORIES) if (tally[c]?.ballots) ballotsBy[c] = tally[c]!.ballots;
  const hidden = suppressedCategories(ballotsBy);
  const present = CATEGORIES.filter((c) => categorySumCount(tally[c]).count > 0);

  const categories: Partial<Record<RaterCategory, CategoryBreakdown>> = {};
  const distribution: Record<number, number> = {};
  const shownMeans: Partial<Record<RaterCategory, number>> = {};
  for (const c of present) {
    const t = tally[c]!;
    for (const [score, n] of Object.entries(t.levels)) distribution[Number(score)] = (distribution[Number(score)] ?? 0) + n;
    if (hidden.has(c)) continue;
    const mean = categoryMean(t)!;
    shownMeans[c] = mean;
    categories[c] = { ballots: t.ballots, mean: round2(mean), distribution: { ...t.levels }, topShare: topShare({ [c]: t }, ctx.topScore) };
  }

  const dimensions: Record<string, number | null> = {};
  for (const [key, items] of Object.entries(ctx.dimensions)) {
    const score = weightedScore(tally, ctx.weights, items);
    dimensions[key] = score == null ? null : round2(score);
  }
  const overall = weightedScore(tally, ctx.weights);
  const grades = gradeShares(tally);
  const flags = [disagreementFlag(shownMeans, flagRules), dominanceFlag(tally, ctx.weights, flagRules, hidden)].filter((f): f is Flag => f != null);
  return {
    overall: overall == null ? null : round2(overall),
    dimensions,
    topShare: topShare(tally, ctx.topScore),
    ballots: Object.values(ballotsBy).reduce((s, n) => s + (n ?? 0), 0),
    flaggedBallots: CATEGORIES.reduce((s, c) => s + (tally[c]?.flagged ?? 0), 0),
    weightsApplied: effectiveWeights(present, ctx.weights),
    categories,
    hiddenCategories: CATEGORIES.filter((c) => hidden.has(c)),
    distribution,
    grades,
    alerts: gradeAlerts(grades, ctx.alertRules),
    flags,
  };
}
