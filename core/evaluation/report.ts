/**
 * @module
 * The results as the department reads them: `campaignResults` with names, restricted to the
 * reader's scope, sorted and filtered; the unit and district averages a cadre is compared
 * with; the alert rules the department sets on a campaign; and the feeds for the dashboard
 * ("needs review") and the profile timeline.
 *
 * Averages and ranks are computed over every target of the campaign before the scope is
 * applied, so a unit admin sees the same rank and district average as the department.
 */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { evaluationCampaigns, evaluationTargets, type EvaluationKind } from '../../db/schema/evaluation.ts';
import { audit } from '../audit.ts';
import { inScope, type Scope } from '../org/scope.ts';
import { campaignIssues, getCampaign } from './campaigns.ts';
import { assertNoIssues } from './errors.ts';
import { campaignResults, closedCampaignsOfKind, districtComparison, type CampaignResults, type ComparisonRow, type TargetResult } from './results.ts';
import { DEFAULT_ALERT_RULES, round2, type Alert, type AlertRules, type Flag } from './scoring.ts';

export interface NamedTarget extends TargetResult {
  name: string;
  position: string;
  unitName: string;
}

/** Mean of the targets' overall and per-dimension scores (targets without a score left out). */
export interface Average {
  targets: number;
  overall: number | null;
  dimensions: Record<string, number | null>;
}

export interface ResultsReport extends Omit<CampaignResults, 'targets'> {
  /** The targets the reader may see, in unit order. */
  targets: NamedTarget[];
  /** Units with targets the reader may see, in the order of the unit tree. */
  units: Array<{ id: number; name: string }>;
  district: Average;
  unitAverages: Map<number, Average>;
  alertRules: AlertRules;
}

/**
 * Averages over `targets`: each target counts once (not weighted by its number of ballots).
 * @example averageOf([{score:{overall:80,dimensions:{a:80}}},{score:{overall:90,dimensions:{a:null}}}])
 *   // { targets: 2, overall: 85, dimensions: { a: 80 } }
 */
export function averageOf(targets: ReadonlyArray<Pick<TargetResult, 'score'>>): Average {
  const mean = (values: Array<number | null>) => {
    const present = values.filter((v): v is number => v != null);
    return present.length === 0 ? null : round2(present.reduce((s, v) => s + v, 0) / present.length);
  };
  const keys = [...new Set(targets.flatMap((t) => Object.keys(t.score.dimensions)))];
  return {
    targets: targets.length,
    overall: mean(targets.map((t) => t.score.overall)),
    dimensions: Object.fromEntries(keys.map((k) => [k, mean(targets.map((t) => t.score.dimensions[k] ?? null))])),
  };
}

export const RESULT_SORTS = ['unit', 'overall', 'topShare', 'excellent', 'name'] as const;
export type ResultSort = (typeof RESULT_SORTS)[number];

export interface ResultFilters {
  unit?: number;
  sort: ResultSort;
  dir: 'asc' | 'desc';
  /** Only targets with an alert or a flag. */
  flagged?: boolean;
}

/** Reads filters from a query string; anything unknown falls back to the default. */
export function parseResultFilters(query: Record<string, string | undefined>): ResultFilters {
  const unit = Number(query.unit);
  const sort = (RESULT_SORTS as readonly string[]).includes(query.sort ?? '') ? (query.sort as ResultSort) : 'unit';
  const dir = query.dir === 'asc' || query.dir === 'desc' ? query.dir : sort === 'unit' || sort === 'name' ? 'asc' : 'desc';
  return { unit: Number.isSafeInteger(unit) && unit > 0 ? unit : undefined, sort, dir, flagged: query.flagged === '1' || undefined };
}

/** Applies the filters; nulls (no ballots) always sort last. */
export function filterTargets(targets: readonly NamedTarget[], f: ResultFilters): NamedTarget[] {
  const rows = targets.filter((t) => (f.unit == null || t.unitId === f.unit) && (!f.flagged || t.score.alerts.length > 0 || t.score.flags.length > 0 || t.score.flaggedBallots > 0));
  const order = rows.map((t, i) => ({ t, i }));
  const key = (t: NamedTarget): number | string | null => {
    switch (f.sort) {
      case 'overall':
        return t.score.overall;
      case 'topShare':
        return t.score.topShare;
      case 'excellent':
        return t.score.grades.excellentCompetentShare;
      case 'name':
        return t.name;
      default:
        return null;
    }
  };
  if (f.sort === 'unit') return f.dir === 'asc' ? rows : rows.reverse();
  const sign = f.dir === 'asc' ? 1 : -1;
  order.sort((a, b) => {
    const ka = key(a.t);
    const kb = key(b.t);
    if (ka == null || kb == null) return ka == null && kb == null ? a.i - b.i : ka == null ? 1 : -1;
    const c = typeof ka === 'string' ? ka.localeCompare(kb as string, 'zh-CN') : ka - (kb as number);
    return c * sign || a.i - b.i;
  });
  return order.map((o) => o.t);
}

/**
 * A campaign's results as the reader may see them. Throws EvaluationError('campaign_not_found')
 * for an unknown campaign and EvaluationError('results_sealed') for one not yet closed.
 */
export async function resultsReport(db: Db, campaignId: number, scope: Scope): Promise<ResultsReport> {
  const results = await campaignResults(db, campaignId);
  const ids = results.targets.map((t) => t.cadreId);
  const unitIds = [...new Set(results.targets.map((t) => t.unitId))];
  const [people, unitRows] = await Promise.all([
    ids.length ? db.select({ id: cadres.id, name: cadres.name, position: cadres.position }).from(cadres).where(inArray(cadres.id, ids)) : [],
    unitIds.length ? db.select({ id: units.id, name: units.name }).from(units).where(inArray(units.id, unitIds)).orderBy(asc(units.sortOrder), asc(units.id)) : [],
  ]);
  const person = new Map(people.map((p) => [p.id, p]));
  const unitName = new Map(unitRows.map((u) => [u.id, u.name]));
  const unitAverages = new Map<number, Average>();
  for (const id of unitIds) unitAverages.set(id, averageOf(results.targets.filter((t) => t.unitId === id)));
  const visible = results.targets
    .filter((t) => inScope(scope, t.unitId))
    .map((t) => ({ ...t, name: person.get(t.cadreId)?.name ?? String(t.cadreId), position: person.get(t.cadreId)?.position ?? '', unitName: unitName.get(t.unitId) ?? '' }));
  const unitOrder = new Map(unitRows.map((u, i) => [u.id, i]));
  visible.sort((a, b) => unitOrder.get(a.unitId)! - unitOrder.get(b.unitId)! || a.cadreId - b.cadreId);
  return {
    campaign: results.campaign,
    definition: results.definition,
    targets: visible,
    units: unitRows.filter((u) => inScope(scope, u.id)),
    district: averageOf(results.targets),
    unitAverages,
    alertRules: (results.campaign.alertRules as AlertRules | null) ?? DEFAULT_ALERT_RULES,
  };
}

/**
 * Changes a campaign's alert rules, in any state: they decide which results are pointed out,
 * not how ballots are counted, so a closed campaign may be re-read under stricter rules.
 */
export async function setAlertRules(db: Db, campaignId: number, rules: AlertRules, actorId: number | null): Promise<AlertRules> {
  const campaign = await getCampaign(db, campaignId);
  assertNoIssues('invalid_alert_rules', campaignIssues({ ...campaign, weights: undefined, reminderPlan: undefined, validityRules: undefined, alertRules: rules }));
  const before = campaign.alertRules as AlertRules;
  await db.transaction(async (tx) => {
    await tx.update(evaluationCampaigns).set({ alertRules: rules, updatedAt: new Date() }).where(eq(evaluationCampaigns.id, campaignId));
    await audit(tx, { actorId, action: 'update', entity: 'evaluation_campaign', entityId: campaignId, diff: { alertRules: [before, rules] } });
  });
  return rules;
}

export interface ReviewEntry {
  campaignId: number;
  campaignTitle: string;
  cadreId: number;
  name: string;
  unitName: string;
  /** What needs looking at, with the figures behind it: never empty. */
  alerts: Alert[];
  flags: Flag[];
}

/**
 * Targets with an alert or a flag in the latest closed campaigns (`campaigns` of them), within
 * scope: what the dashboard asks the department to look at.
 */
export async function targetsNeedingReview(db: Db, scope: Scope, options: { campaigns?: number; limit?: number } = {}): Promise<ReviewEntry[]> {
  const latest = await db
    .select({ id: evaluationCampaigns.id, title: evaluationCampaigns.title })
    .from(evaluationCampaigns)
    .where(eq(evaluationCampaigns.status, 'closed'))
    .orderBy(desc(evaluationCampaigns.closedAt), desc(evaluationCampaigns.id))
    .limit(options.campaigns ?? 2);
  const entries: ReviewEntry[] = [];
  for (const c of latest) {
    const report = await resultsReport(db, c.id, scope);
    for (const t of report.targets) {
      const { alerts, flags } = t.score;
      if (alerts.length || flags.length) entries.push({ campaignId: c.id, campaignTitle: c.title, cadreId: t.cadreId, name: t.name, unitName: t.unitName, alerts, flags });
    }
  }
  return entries.slice(0, options.limit ?? 20);
}

/** A closed campaign the cadre was a target of, with their score and district rank. */
export interface TimelineResult {
  at: Date;
  campaignId: number;
  title: string;
  kind: EvaluationKind;
  score: number | null;
  rank: { rank: number; of: number } | null;
}

/**
 * What the profile timeline shows of evaluation: each published campaign the cadre was a
 * target of, with their score and rank (the panel words it).
 */
export async function timelineResults(db: Db, cadreId: number): Promise<TimelineResult[]> {
  const rows = await db
    .select({ id: evaluationCampaigns.id, title: evaluationCampaigns.title, kind: evaluationCampaigns.kind, year: evaluationCampaigns.year, closedAt: evaluationCampaigns.closedAt })
    .from(evaluationCampaigns)
    .innerJoin(evaluationTargets, and(eq(evaluationTargets.campaignId, evaluationCampaigns.id), eq(evaluationTargets.cadreId, cadreId)))
    .where(eq(evaluationCampaigns.status, 'closed'))
    .orderBy(desc(evaluationCampaigns.closedAt))
    .limit(20);
  const entries: TimelineResult[] = [];
  for (const c of rows) {
    const results = await campaignResults(db, c.id);
    const mine = results.targets.find((t) => t.cadreId === cadreId);
    const rank = mine?.districtRank;
    entries.push({ at: c.closedAt!, campaignId: c.id, title: c.title, kind: c.kind as EvaluationKind, score: mine?.score.overall ?? null, rank: rank ? { rank: rank.rank, of: rank.of } : null });
  }
  return entries;
}

export interface ComparisonReport {
  campaigns: Array<{ id: number; year: number; title: string }>;
  rows: ComparisonRow[];
  people: Map<number, { cadreId: number; name: string; unitName: string }>;
}

/**
 * The district table over years for `kind`, restricted to the reader's scope (by the unit a
 * target belonged to in each campaign); ranks stay those across the whole district.
 */
export async function comparisonReport(db: Db, kind: EvaluationKind, scope: Scope): Promise<ComparisonReport> {
  // Closed campaigns only: an open one's results are sealed.
  const [campaigns, all] = await Promise.all([closedCampaignsOfKind(db, kind), districtComparison(db, { kind })]);
  const rows = all.filter((r) => inScope(scope, r.unitId));
  // Only the campaigns in which the reader has someone: another unit's campaign is not named.
  const shown = scope.kind === 'all' ? campaigns : campaigns.filter((c) => rows.some((r) => r.campaignId === c.id));
  const ids = [...new Set(rows.map((r) => r.cadreId))];
  const people = ids.length
    ? await db.select({ cadreId: cadres.id, name: cadres.name, unitName: units.name }).from(cadres).innerJoin(units, eq(units.id, cadres.unitId)).where(inArray(cadres.id, ids))
    : [];
  return { campaigns: shown.map(({ id, year, title }) => ({ id, year, title })), rows, people: new Map(people.map((p) => [p.cadreId, p])) };
}
