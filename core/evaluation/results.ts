/**
 * @module
 * Results: the SQL that turns a campaign's ballot box into tallies, and the comparisons built on
 * them. Scoring rules live in scoring.ts; this module only counts and sums in PostgreSQL and
 * hands the tallies over.
 * - `campaignResults`: every target's scores, distributions, flags and alerts, ranked within
 *   its unit and across the campaign (horizontal, 横向).
 * - `districtComparison`: overall scores and ranks of every target in several campaigns of one
 *   kind (e.g. five annual evaluations), from slip sums rather than every answer.
 * - `cadreSeries`: one cadre's overall scores in the campaigns of one kind (vertical, 纵向: the curve).
 *
 * Results are sealed until a campaign closes, for everyone: while it is open, figures read
 * before and after one person votes would tell that person's ballot. `campaignResults` refuses
 * an open campaign (EvaluationError 'results_sealed'), and the comparisons and curves count
 * closed campaigns only.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  evaluationCampaigns,
  evaluationTargets,
  type EvaluationCampaign,
  type EvaluationKind,
  type RaterCategory,
} from '../../db/schema/evaluation.ts';
import { ballotContext } from './ballots.ts';
import { EvaluationError } from './errors.ts';
import {
  DEFAULT_ALERT_RULES,
  rankScores,
  round2,
  scoreTarget,
  weightedMean,
  type AlertRules,
  type CategoryTally,
  type Ranked,
  type TargetScore,
  type TargetTally,
  type Weights,
} from './scoring.ts';
import { OVERALL_GRADES, templateItems, type TemplateDefinition } from './templates.ts';

export interface TargetResult {
  cadreId: number;
  unitId: number;
  score: TargetScore;
  /** Within the target's unit, and across all targets of the campaign (the district). */
  unitRank: Ranked | null;
  districtRank: Ranked | null;
}

export interface CampaignResults {
  campaign: EvaluationCampaign;
  definition: TemplateDefinition;
  targets: TargetResult[];
}


/** Throws EvaluationError('results_sealed') unless the campaign has closed. */
export function assertResultsUnsealed(campaign: Pick<EvaluationCampaign, 'status'>): void {
  if (campaign.status !== 'closed') throw new EvaluationError('results_sealed');
}

function emptyTally(): CategoryTally {
  return { ballots: 0, flagged: 0, items: {}, levels: {}, grades: {} };
}

/** Ranks per group (unit) and overall, keyed by cadre id. */
function rankWithin<T extends { cadreId: number; unitId: number; overall: number | null }>(rows: T[]) {
  const district = rankScores(rows.map((r) => ({ id: r.cadreId, score: r.overall })));
  const byUnit = new Map<number, T[]>();
  for (const r of rows) byUnit.set(r.unitId, [...(byUnit.get(r.unitId) ?? []), r]);
  const unit = new Map<number, Ranked>();
  for (const group of byUnit.values()) for (const [id, rank] of rankScores(group.map((r) => ({ id: r.cadreId, score: r.overall })))) unit.set(id, rank);
  return { district, unit };
}

/**
 * Everything the results page shows for one campaign, in two parallel queries: the slips
 * counted per (target, category) with their grades counted and their level counts and item
 * scores summed, and the targets.
 */
export async function campaignResults(db: Db, campaignId: number, options: { excludeFlagged?: boolean } = {}): Promise<CampaignResults> {
  const context = await ballotContext(db, campaignId);
  if (!context) throw new EvaluationError('campaign_not_found');
  assertResultsUnsealed(context.campaign);
  const def = context.definition;
  const items = templateItems(def);
  // Sums of level_counts[1..N] and item_scores[1..M] over slips: the distributions and item totals.
  const gradeCounts = sql.join(OVERALL_GRADES.map((g) => sql.raw(`count(*) filter (where overall_grade = '${g.key}')::int`)), sql`, `);
  const sums = (column: string, n: number) => sql.join(Array.from({ length: n }, (_, i) => sql.raw(`sum(${column}[${i + 1}])::int`)), sql`, `);
  const [slipRows, targets] = await Promise.all([
    db.execute<{ target_id: number; category: RaterCategory; n: number; flagged: number; grades: number[]; levels: number[]; items: number[] }>(sql`
      select target_id, category, count(*)::int as n, count(*) filter (where flagged)::int as flagged,
             array[${gradeCounts}] as grades,
             array[${sums('level_counts', def.scale.length)}] as levels, array[${sums('item_scores', items.length)}] as items
      from evaluation_ballots
      where campaign_id = ${campaignId} ${options.excludeFlagged ? sql`and not flagged` : sql``}
      group by target_id, category`),
    db
      .select({ cadreId: evaluationTargets.cadreId, unitId: evaluationTargets.unitId })
      .from(evaluationTargets)
      .where(eq(evaluationTargets.campaignId, campaignId))
      .orderBy(asc(evaluationTargets.unitId), asc(evaluationTargets.cadreId)),
  ]);

  const tallies = new Map<number, TargetTally>();
  const tallyOf = (targetId: number, category: RaterCategory) => {
    let t = tallies.get(targetId);
    if (!t) tallies.set(targetId, (t = {}));
    return (t[category] ??= emptyTally());
  };
  for (const row of slipRows) {
    const t = tallyOf(row.target_id, row.category);
    t.ballots = row.n;
    t.flagged = row.flagged;
    OVERALL_GRADES.forEach((g, i) => {
      if (row.grades[i]) t.grades[g.key] = row.grades[i];
    });
    def.scale.forEach((level, i) => {
      if (row.levels[i]) t.levels[level.score] = row.levels[i]!;
    });
    // Every slip answers every item (a ballot must be complete), so each item has n answers.
    items.forEach((item, i) => {
      t.items[item.key] = { sum: row.items[i] ?? 0, count: row.n };
    });
  }

  const ctx = {
    weights: context.campaign.weights as Weights,
    dimensions: Object.fromEntries(def.dimensions.map((d) => [d.key, d.items.map((i) => i.key)])),
    topScore: def.scale[0]!.score,
    alertRules: (context.campaign.alertRules as AlertRules | null) ?? DEFAULT_ALERT_RULES,
  };
  const scored = targets.map((t) => ({ ...t, score: scoreTarget(tallies.get(t.cadreId) ?? {}, ctx) }));
  const ranks = rankWithin(scored.map((s) => ({ cadreId: s.cadreId, unitId: s.unitId, overall: s.score.overall })));
  return {
    campaign: context.campaign,
    definition: def,
    targets: scored.map((s) => ({ ...s, unitRank: ranks.unit.get(s.cadreId) ?? null, districtRank: ranks.district.get(s.cadreId) ?? null })),
  };
}

/** Free-text comments about one target of a closed campaign, in the box's random order (never in arrival order). */
export async function targetComments(db: Db, campaignId: number, targetId: number): Promise<string[]> {
  const rows = await db.execute<{ comment: string }>(sql`
    select b.comment from evaluation_ballots b join evaluation_campaigns c on c.id = b.campaign_id and c.status = 'closed'
    where b.campaign_id = ${campaignId} and b.target_id = ${targetId} and b.comment is not null
    order by b.id`);
  return rows.map((r) => r.comment);
}

export interface ComparisonRow {
  campaignId: number;
  year: number;
  cadreId: number;
  unitId: number;
  overall: number | null;
  ballots: number;
  unitRank: Ranked | null;
  districtRank: Ranked | null;
}

/** Overall scores per (campaign, target) from slip sums; weights per campaign. */
async function overallScores(db: Db, campaigns: Array<Pick<EvaluationCampaign, 'id' | 'year' | 'weights'>>, cadreId?: number): Promise<ComparisonRow[]> {
  if (campaigns.length === 0) return [];
  const ids = campaigns.map((c) => c.id);
  const idList = sql.join(ids.map((id) => sql`${id}`), sql`, `);
  const rows = await db.execute<{ campaign_id: number; target_id: number; unit_id: number; category: RaterCategory | null; total: number | null; answers: number | null; slips: number | null }>(sql`
    select t.campaign_id, t.cadre_id as target_id, t.unit_id, s.category, s.total, s.answers, s.slips
    from evaluation_targets t
    left join (
      select campaign_id, target_id, category, sum(score_sum)::bigint as total, sum(answer_count)::int as answers, count(*)::int as slips
      from evaluation_ballots
      where campaign_id in (${idList}) ${cadreId == null ? sql`` : sql`and target_id = ${cadreId}`}
      group by campaign_id, target_id, category
    ) s on s.campaign_id = t.campaign_id and s.target_id = t.cadre_id
    where t.campaign_id in (${idList}) ${cadreId == null ? sql`` : sql`and t.cadre_id = ${cadreId}`}`);
  const byKey = new Map<string, { campaignId: number; cadreId: number; unitId: number; means: Partial<Record<RaterCategory, number>>; ballots: number }>();
  for (const r of rows) {
    const key = `${r.campaign_id}:${r.target_id}`;
    let entry = byKey.get(key);
    if (!entry) byKey.set(key, (entry = { campaignId: r.campaign_id, cadreId: r.target_id, unitId: r.unit_id, means: {}, ballots: 0 }));
    if (r.category && r.answers) {
      entry.means[r.category] = Number(r.total) / r.answers;
      entry.ballots += r.slips ?? 0;
    }
  }
  const campaignOf = new Map(campaigns.map((c) => [c.id, c]));
  const result: ComparisonRow[] = [];
  const perCampaign = new Map<number, Array<{ cadreId: number; unitId: number; overall: number | null; ballots: number }>>();
  for (const e of byKey.values()) {
    const overall = weightedMean(e.means, campaignOf.get(e.campaignId)!.weights as Weights);
    const list = perCampaign.get(e.campaignId) ?? [];
    list.push({ cadreId: e.cadreId, unitId: e.unitId, overall: overall == null ? null : round2(overall), ballots: e.ballots });
    perCampaign.set(e.campaignId, list);
  }
  for (const c of campaigns) {
    const list = perCampaign.get(c.id) ?? [];
    const ranks = rankWithin(list);
    for (const r of list) {
      result.push({ campaignId: c.id, year: c.year, ...r, unitRank: ranks.unit.get(r.cadreId) ?? null, districtRank: ranks.district.get(r.cadreId) ?? null });
    }
  }
  return result.sort((a, b) => a.year - b.year || a.campaignId - b.campaignId || a.unitId - b.unitId || a.cadreId - b.cadreId);
}

/** Closed campaigns of one kind, oldest first, optionally limited to some years. */
export async function closedCampaignsOfKind(db: Db, kind: EvaluationKind, years?: number[]) {
  return db
    .select({ id: evaluationCampaigns.id, year: evaluationCampaigns.year, title: evaluationCampaigns.title, weights: evaluationCampaigns.weights })
    .from(evaluationCampaigns)
    .where(and(eq(evaluationCampaigns.kind, kind), eq(evaluationCampaigns.status, 'closed'), years?.length ? inArray(evaluationCampaigns.year, years) : undefined))
    .orderBy(asc(evaluationCampaigns.year), asc(evaluationCampaigns.opensAt));
}

/**
 * The district-wide table over years: every target's overall score and its rank within its
 * unit and across the district, in each closed campaign of `kind` (in `years` when given).
 * Overall scores equal campaignResults' (both weigh per-category means of all answers).
 */
export async function districtComparison(db: Db, options: { kind: EvaluationKind; years?: number[] }): Promise<ComparisonRow[]> {
  return overallScores(db, await closedCampaignsOfKind(db, options.kind, options.years));
}

export interface SeriesPoint {
  campaignId: number;
  year: number;
  title: string;
  overall: number | null;
  ballots: number;
}

/**
 * One cadre's curve: their overall score in every closed campaign of `kind` in which they
 * were a target, oldest first.
 */
export async function cadreSeries(db: Db, cadreId: number, kind: EvaluationKind): Promise<SeriesPoint[]> {
  const campaigns = await db
    .select({ id: evaluationCampaigns.id, year: evaluationCampaigns.year, title: evaluationCampaigns.title, weights: evaluationCampaigns.weights })
    .from(evaluationCampaigns)
    .innerJoin(evaluationTargets, and(eq(evaluationTargets.campaignId, evaluationCampaigns.id), eq(evaluationTargets.cadreId, cadreId)))
    .where(and(eq(evaluationCampaigns.kind, kind), eq(evaluationCampaigns.status, 'closed')))
    .orderBy(asc(evaluationCampaigns.year), asc(evaluationCampaigns.opensAt));
  const scores = await overallScores(db, campaigns, cadreId);
  const byCampaign = new Map(scores.map((s) => [s.campaignId, s]));
  return campaigns.map((c) => ({ campaignId: c.id, year: c.year, title: c.title, overall: byCampaign.get(c.id)?.overall ?? null, ballots: byCampaign.get(c.id)?.ballots ?? 0 }));
}
