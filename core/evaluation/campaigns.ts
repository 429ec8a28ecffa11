/**
 * @module
 * Evaluation campaigns: set up while a draft (title, kind, window, weights, targets, raters),
 * then opened (the template version is frozen) and closed (the ballot box is reshuffled).
 * Miaopu proposes who rates whom from the organization; the admin edits and saves it.
 */
import { createHash, randomInt } from 'node:crypto';
import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  evaluationCampaigns,
  evaluationPublicCodes,
  evaluationRaters,
  evaluationTargets,
  evaluationTemplateVersions,
  type EvaluationCampaign,
  type EvaluationKind,
  type RaterCategory,
} from '../../db/schema/evaluation.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { audit, diffOf } from '../audit.ts';
import type { Clock } from '../clock.ts';
import { assertNoIssues, EvaluationError, type Issue } from './errors.ts';
import { hasControlChars } from '../validation.ts';
import { DEFAULT_REMINDER_PLAN, reminderPlanIssues, type ReminderPlan } from './reminders.ts';
import { CATEGORIES, CATEGORY_LABELS, DEFAULT_ALERT_RULES, DEFAULT_WEIGHTS, type AlertRules, type Weights } from './scoring.ts';
import { latestTemplateVersion } from './templates.ts';
import { closeBallotBox, lockBallotBox, vacuumBallotBox } from './ballot-box.ts';

export interface ValidityRules {
  /** Flag a ballot that gives the top level (好) to more than this share of its answers; null: never. */
  maxTopShare: number | null;
}
export const DEFAULT_VALIDITY_RULES: ValidityRules = { maxTopShare: null };

export const KIND_LABELS: Record<EvaluationKind, string> = { routine: '日常评估', annual: '年度评估', special: '专项评估', end_of_term: '任期评估' };

export interface CampaignInput {
  title: string;
  kind: EvaluationKind;
  year: number;
  templateVersionId: number;
  opensAt: Date;
  closesAt: Date;
  unitIds?: number[];
  weights?: Weights;
  reminderPlan?: ReminderPlan;
  validityRules?: ValidityRules;
  alertRules?: AlertRules;
}

const share = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1;

/** Every problem with the weights. */
export function weightIssues(weights: Weights): Issue[] {
  const issues: Issue[] = [];
  for (const c of CATEGORIES) {
    if (!share(weights[c])) issues.push({ code: 'weight.range', params: { category: c } });
  }
  if (issues.length) return issues;
  const sum = CATEGORIES.reduce((s, c) => s + weights[c], 0);
  if (Math.abs(sum - 1) > 1e-9) issues.push({ code: 'weight.sum', params: { sum: Math.round(sum * 1e4) / 1e4 } });
  return issues;
}

export function campaignIssues(input: CampaignInput): Issue[] {
  const issues: Issue[] = [];
  if (!input.title?.trim()) issues.push({ code: 'title.empty' });
  else if (input.title.length > 100) issues.push({ code: 'title.long', params: { max: 100 } });
  else if (hasControlChars(input.title)) issues.push({ code: 'title.control' });
  if (!(input.kind in KIND_LABELS)) issues.push({ code: 'kind' });
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2100) issues.push({ code: 'year' });
  const opens = input.opensAt?.getTime();
  const closes = input.closesAt?.getTime();
  if (!Number.isFinite(opens)) issues.push({ code: 'opensAt.missing' });
  if (!Number.isFinite(closes)) issues.push({ code: 'closesAt.missing' });
  if (Number.isFinite(opens) && Number.isFinite(closes) && closes! <= opens!) issues.push({ code: 'closesAt.order' });
  issues.push(...weightIssues(input.weights ?? DEFAULT_WEIGHTS));
  if (input.reminderPlan) issues.push(...reminderPlanIssues(input.reminderPlan));
  const v = input.validityRules;
  if (v && v.maxTopShare != null && !(share(v.maxTopShare) && v.maxTopShare > 0)) issues.push({ code: 'validity.topShare' });
  const a = input.alertRules;
  if (a && (!share(a.minExcellentCompetentShare) || !share(a.maxIncompetentShare))) issues.push({ code: 'alert.shares' });
  return issues;
}

async function loadCampaign(db: Pick<Db, 'select'>, id: number, forUpdate = false): Promise<EvaluationCampaign> {
  const query = db.select().from(evaluationCampaigns).where(eq(evaluationCampaigns.id, id));
  const [row] = forUpdate ? await query.for('update') : await query;
  if (!row) throw new EvaluationError('campaign_not_found');
  return row;
}

function assertDraft(campaign: EvaluationCampaign): void {
  if (campaign.status !== 'draft') throw new EvaluationError('not_draft');
}

export async function getCampaign(db: Pick<Db, 'select'>, id: number): Promise<EvaluationCampaign> {
  return loadCampaign(db, id);
}

export async function createCampaign(db: Db, input: CampaignInput, actorId: number | null): Promise<EvaluationCampaign> {
  assertNoIssues('invalid_campaign', campaignIssues(input));
  return db.transaction(async (tx) => {
    const [version] = await tx.select({ id: evaluationTemplateVersions.id }).from(evaluationTemplateVersions).where(eq(evaluationTemplateVersions.id, input.templateVersionId));
    if (!version) throw new EvaluationError('invalid_campaign', { code: 'template.missing' });
    const [row] = await tx
      .insert(evaluationCampaigns)
      .values({
        title: input.title.trim(),
        kind: input.kind,
        year: input.year,
        templateVersionId: input.templateVersionId,
        opensAt: input.opensAt,
        closesAt: input.closesAt,
        unitIds: input.unitIds ?? [],
        weights: input.weights ?? DEFAULT_WEIGHTS,
        reminderPlan: input.reminderPlan ?? DEFAULT_REMINDER_PLAN,
        validityRules: input.validityRules ?? DEFAULT_VALIDITY_RULES,
        alertRules: input.alertRules ?? DEFAULT_ALERT_RULES,
        createdBy: actorId,
      })
      .returning();
    await audit(tx, { actorId, action: 'create', entity: 'evaluation_campaign', entityId: row!.id, diff: { title: row!.title, kind: row!.kind, year: row!.year } });
    return row!;
  });
}

/** Edits a draft; an open or closed campaign refuses every change. */
export async function updateCampaign(db: Db, id: number, patch: Partial<CampaignInput>, actorId: number | null): Promise<EvaluationCampaign> {
  return db.transaction(async (tx) => {
    const before = await loadCampaign(tx, id, true);
    assertDraft(before);
    const merged: CampaignInput = {
      title: before.title,
      kind: before.kind,
      year: before.year,
      templateVersionId: before.templateVersionId,
      opensAt: before.opensAt,
      closesAt: before.closesAt,
      unitIds: before.unitIds,
      weights: before.weights as Weights,
      reminderPlan: before.reminderPlan as ReminderPlan,
      validityRules: before.validityRules as ValidityRules,
      alertRules: before.alertRules as AlertRules,
      ...patch,
    };
    assertNoIssues('invalid_campaign', campaignIssues(merged));
    if (patch.templateVersionId != null) {
      const [version] = await tx.select({ id: evaluationTemplateVersions.id }).from(evaluationTemplateVersions).where(eq(evaluationTemplateVersions.id, patch.templateVersionId));
      if (!version) throw new EvaluationError('invalid_campaign', { code: 'template.missing' });
    }
    const [row] = await tx
      .update(evaluationCampaigns)
      .set({ ...merged, title: merged.title.trim(), updatedAt: new Date() })
      .where(eq(evaluationCampaigns.id, id))
      .returning();
    await audit(tx, { actorId, action: 'update', entity: 'evaluation_campaign', entityId: id, diff: diffOf(before as Record<string, unknown>, patch as Record<string, unknown>) });
    return row!;
  });
}

/** The active leadership-team members of the given units: the usual targets. */
export async function leadersOfUnits(db: Pick<Db, 'select'>, unitIds: number[]): Promise<number[]> {
  if (unitIds.length === 0) return [];
  const rows = await db
    .select({ id: cadres.id })
    .from(cadres)
    .where(and(inArray(cadres.unitId, unitIds), eq(cadres.isLeader, true), eq(cadres.status, 'active')))
    .orderBy(cadres.unitId, cadres.id);
  return rows.map((r) => r.id);
}

/** Replaces a draft's targets; each keeps the unit they belong to now, for comparisons later. */
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

async function writeTargets(tx: Tx, campaignId: number, cadreIds: number[], actorId: number | null): Promise<number> {
  const unique = [...new Set(cadreIds)];
  const found = unique.length ? await tx.select({ id: cadres.id, unitId: cadres.unitId }).from(cadres).where(inArray(cadres.id, unique)) : [];
  if (found.length !== unique.length) throw new EvaluationError('invalid_targets', { code: 'targets.unknown' });
  await tx.delete(evaluationTargets).where(eq(evaluationTargets.campaignId, campaignId));
  if (found.length) await tx.insert(evaluationTargets).values(found.map((c) => ({ campaignId, cadreId: c.id, unitId: c.unitId })));
  await audit(tx, { actorId, action: 'update', entity: 'evaluation_targets', entityId: campaignId, diff: { targets: found.length } });
  return found.length;
}

export async function setTargets(db: Db, campaignId: number, cadreIds: number[], actorId: number | null): Promise<number> {
  return db.transaction(async (tx) => {
    assertDraft(await loadCampaign(tx, campaignId, true));
    return writeTargets(tx, campaignId, cadreIds, actorId);
  });
}

/** Each rater keeps only targets still in the campaign; a rater left with none is dropped. */
async function pruneRaters(tx: Tx, campaignId: number, actorId: number | null): Promise<void> {
  const targets = new Set((await tx.select({ id: evaluationTargets.cadreId }).from(evaluationTargets).where(eq(evaluationTargets.campaignId, campaignId))).map((t) => t.id));
  const raters = await tx.select().from(evaluationRaters).where(eq(evaluationRaters.campaignId, campaignId));
  const changed = raters.filter((r) => r.targetIds.some((id) => !targets.has(id)));
  if (changed.length === 0) return;
  for (const r of changed) {
    const kept = r.targetIds.filter((id) => targets.has(id));
    const where = and(eq(evaluationRaters.campaignId, campaignId), eq(evaluationRaters.cadreId, r.cadreId), eq(evaluationRaters.category, r.category));
    if (kept.length) await tx.update(evaluationRaters).set({ targetIds: kept }).where(where);
    else await tx.delete(evaluationRaters).where(where);
  }
  await audit(tx, { actorId, action: 'update', entity: 'evaluation_raters', entityId: campaignId, diff: { pruned: changed.length } });
}

/** What an admin does to a draft's targets: pick units (their leadership teams), or add or remove one person. */
export type TargetChange = { units: number[] } | { add: number } | { remove: number };

/**
 * Changes a draft campaign's targets in one transaction: the units it covers and its targets
 * together, and the raters' lists pruned to the targets that remain, so no reader ever sees a
 * campaign half changed. Returns the number of targets.
 */
export async function changeTargets(db: Db, campaignId: number, change: TargetChange, actorId: number | null): Promise<number> {
  return db.transaction(async (tx) => {
    const campaign = await loadCampaign(tx, campaignId, true);
    assertDraft(campaign);
    const current = (await tx.select({ id: evaluationTargets.cadreId }).from(evaluationTargets).where(eq(evaluationTargets.campaignId, campaignId))).map((t) => t.id);
    let next: number[];
    if ('units' in change) {
      const unitIds = [...new Set(change.units)];
      await tx.update(evaluationCampaigns).set({ unitIds, updatedAt: new Date() }).where(eq(evaluationCampaigns.id, campaignId));
      await audit(tx, { actorId, action: 'update', entity: 'evaluation_campaign', entityId: campaignId, diff: { unitIds: [campaign.unitIds, unitIds] } });
      next = await leadersOfUnits(tx, unitIds);
    } else if ('add' in change) next = [...current, change.add];
    else next = current.filter((id) => id !== change.remove);
    const n = await writeTargets(tx, campaignId, next, actorId);
    await pruneRaters(tx, campaignId, actorId);
    return n;
  });
}

export interface RaterAssignment {
  cadreId: number;
  category: RaterCategory;
  targetIds: number[];
}

/**
 * Who rates whom, proposed from the organization:
 * - the leadership team of a unit rate each other as peers (同级);
 * - the unit's other active cadres rate its leaders as subordinates (下级);
 * - the district unit's (root, kind `district`) leaders rate the leaders of every other unit
 *   as superiors (上级).
 * Public raters (群众) come in through one-time codes instead. Nothing is saved.
 */
export async function proposeRaters(db: Db, campaignId: number): Promise<RaterAssignment[]> {
  const targets = await db
    .select({ cadreId: evaluationTargets.cadreId, unitId: evaluationTargets.unitId })
    .from(evaluationTargets)
    .where(eq(evaluationTargets.campaignId, campaignId));
  if (targets.length === 0) return [];
  const targetUnits = [...new Set(targets.map((t) => t.unitId))];
  const districtUnits = await db.select({ id: units.id }).from(units).where(and(eq(units.kind, 'district'), isNull(units.parentId)));
  const people = await db
    .select({ id: cadres.id, unitId: cadres.unitId, isLeader: cadres.isLeader })
    .from(cadres)
    .where(and(eq(cadres.status, 'active'), inArray(cadres.unitId, [...targetUnits, ...districtUnits.map((u) => u.id)])));
  const districtIds = new Set(districtUnits.map((u) => u.id));
  const targetsByUnit = new Map<number, number[]>();
  for (const t of targets) targetsByUnit.set(t.unitId, [...(targetsByUnit.get(t.unitId) ?? []), t.cadreId]);

  const proposal: RaterAssignment[] = [];
  const add = (cadreId: number, category: RaterCategory, targetIds: number[]) => {
    const own = targetIds.filter((id) => id !== cadreId);
    if (own.length) proposal.push({ cadreId, category, targetIds: own.sort((a, b) => a - b) });
  };
  const outsideDistrict = targets.filter((t) => !districtIds.has(t.unitId)).map((t) => t.cadreId);
  for (const person of people) {
    const sameUnit = targetsByUnit.get(person.unitId) ?? [];
    if (person.isLeader) add(person.id, 'peer', sameUnit);
    else add(person.id, 'subordinate', sameUnit);
    if (person.isLeader && districtIds.has(person.unitId)) add(person.id, 'superior', outsideDistrict);
  }
  return proposal.sort((a, b) => a.cadreId - b.cadreId || CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category));
}

/** Saves the (edited) assignments of a draft, replacing what was there. */
export async function saveRaters(db: Db, campaignId: number, assignments: RaterAssignment[], actorId: number | null): Promise<number> {
  return db.transaction(async (tx) => {
    assertDraft(await loadCampaign(tx, campaignId, true));
    const targetIds = new Set(
      (await tx.select({ id: evaluationTargets.cadreId }).from(evaluationTargets).where(eq(evaluationTargets.campaignId, campaignId))).map((t) => t.id),
    );
    const issues: Issue[] = [];
    const seen = new Set<string>();
    for (const a of assignments) {
      const key = `${a.cadreId}:${a.category}`;
      if (seen.has(key)) issues.push({ code: 'raters.duplicate', params: { cadreId: a.cadreId, category: a.category } });
      seen.add(key);
      if (a.targetIds.includes(a.cadreId)) issues.push({ code: 'raters.self', params: { cadreId: a.cadreId } });
      if (a.targetIds.length === 0) issues.push({ code: 'raters.none', params: { cadreId: a.cadreId } });
      const stray = a.targetIds.filter((id) => !targetIds.has(id));
      if (stray.length) issues.push({ code: 'raters.stray', params: { cadreId: a.cadreId, targets: stray.join(', ') } });
    }
    const raterIds = [...new Set(assignments.map((a) => a.cadreId))];
    const known = raterIds.length ? await tx.select({ id: cadres.id }).from(cadres).where(inArray(cadres.id, raterIds)) : [];
    if (known.length !== raterIds.length) issues.push({ code: 'raters.unknown' });
    assertNoIssues('invalid_raters', issues);
    await tx.delete(evaluationRaters).where(eq(evaluationRaters.campaignId, campaignId));
    if (assignments.length) {
      await tx.insert(evaluationRaters).values(assignments.map((a) => ({ campaignId, cadreId: a.cadreId, category: a.category, targetIds: [...new Set(a.targetIds)] })));
    }
    await audit(tx, { actorId, action: 'update', entity: 'evaluation_raters', entityId: campaignId, diff: { assignments: assignments.length } });
    return assignments.length;
  });
}

/** Unambiguous characters for printed codes (no 0/O, 1/I/L). */
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const CODE_LENGTH = 10;

export function hashPublicCode(code: string): string {
  return createHash('sha256').update(normalizeCode(code)).digest('hex');
}

/** Codes are read off paper: ignore case, spaces and dashes. */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

/**
 * Issues printable one-time codes for public raters (群众). The codes are returned once, for
 * printing; only their hashes are stored.
 */
export async function issuePublicCodes(
  db: Db,
  campaignId: number,
  options: { count: number; unitId?: number | null },
  actorId: number | null,
): Promise<string[]> {
  if (!Number.isInteger(options.count) || options.count < 1 || options.count > 5000) {
    throw new EvaluationError('invalid_codes', { code: 'codes.count', params: { max: 5000 } });
  }
  return db.transaction(async (tx) => {
    const campaign = await loadCampaign(tx, campaignId, true);
    if (campaign.status === 'closed') throw new EvaluationError('closed', { code: 'codes.closed' });
    const scope = await tx
      .select({ id: evaluationTargets.cadreId })
      .from(evaluationTargets)
      .where(and(eq(evaluationTargets.campaignId, campaignId), options.unitId == null ? undefined : eq(evaluationTargets.unitId, options.unitId)))
      .limit(1);
    if (scope.length === 0) throw new EvaluationError('invalid_codes', { code: options.unitId == null ? 'codes.noTargets' : 'codes.unitNoTargets' });
    const codes = Array.from({ length: options.count }, () =>
      Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join(''),
    );
    await tx.insert(evaluationPublicCodes).values(codes.map((code) => ({ codeHash: hashPublicCode(code), campaignId, category: 'public' as const, unitId: options.unitId ?? null })));
    await audit(tx, { actorId, action: 'create', entity: 'evaluation_public_codes', entityId: campaignId, diff: { count: codes.length, unitId: options.unitId ?? null } });
    return codes;
  });
}

/**
 * Opens a draft for voting: checks it has targets and raters (or public codes) and freezes the
 * template to its latest version, which the campaign then keeps whatever later edits happen.
 */
export async function openCampaign(db: Db, campaignId: number, clock: Clock, actorId: number | null): Promise<EvaluationCampaign> {
  return db.transaction(async (tx) => {
    const campaign = await loadCampaign(tx, campaignId, true);
    assertDraft(campaign);
    const [counts] = await tx.execute<{ targets: number; raters: number; codes: number }>(sql`
      select (select count(*)::int from evaluation_targets where campaign_id = ${campaignId}) as targets,
             (select count(*)::int from evaluation_raters where campaign_id = ${campaignId}) as raters,
             (select count(*)::int from evaluation_public_codes where campaign_id = ${campaignId}) as codes`);
    const issues: Issue[] = [];
    if (!counts!.targets) issues.push({ code: 'open.noTargets' });
    if (!counts!.raters && !counts!.codes) issues.push({ code: 'open.noRaters' });
    if (campaign.closesAt.getTime() <= clock.now().getTime()) issues.push({ code: 'open.pastDeadline' });
    assertNoIssues('cannot_open', issues);
    const [current] = await tx.select({ templateId: evaluationTemplateVersions.templateId }).from(evaluationTemplateVersions).where(eq(evaluationTemplateVersions.id, campaign.templateVersionId));
    const latest = await latestTemplateVersion(tx, current!.templateId);
    const [row] = await tx
      .update(evaluationCampaigns)
      .set({ status: 'open', templateVersionId: latest!.id, openedAt: clock.now(), updatedAt: clock.now() })
      .where(eq(evaluationCampaigns.id, campaignId))
      .returning();
    await audit(tx, { actorId, action: 'update', entity: 'evaluation_campaign', entityId: campaignId, diff: { status: ['draft', 'open'], templateVersionId: latest!.id } });
    return row!;
  });
}

/**
 * Closes an open campaign; no ballot is accepted after this, every slip still held goes into
 * the box (opened with `sealKey`, the ballot key), the box is reshuffled and the old row
 * versions vacuumed away. Only then can results be read.
 */
export async function closeCampaign(db: Db, campaignId: number, clock: Clock, actorId: number | null, sealKey: Buffer): Promise<EvaluationCampaign> {
  const closed = await db.transaction(async (tx) => {
    // After any submission in flight, so none holds a slip that would miss the closing.
    await lockBallotBox(tx, campaignId);
    const campaign = await loadCampaign(tx, campaignId, true);
    if (campaign.status !== 'open') throw new EvaluationError('not_open', { code: campaign.status === 'draft' ? 'close.draft' : 'close.closed' });
    await closeBallotBox(tx, sealKey, campaignId);
    const [row] = await tx
      .update(evaluationCampaigns)
      .set({ status: 'closed', closedAt: clock.now(), updatedAt: clock.now() })
      .where(eq(evaluationCampaigns.id, campaignId))
      .returning();
    await audit(tx, { actorId, action: 'update', entity: 'evaluation_campaign', entityId: campaignId, diff: { status: ['open', 'closed'] } });
    return row!;
  });
  await vacuumBallotBox(db);
  return closed;
}

/** Closes every open campaign past its closing time; for a scheduled sweep. Returns their ids. */
export async function closeDueCampaigns(db: Db, clock: Clock, sealKey: Buffer): Promise<number[]> {
  const due = await db
    .select({ id: evaluationCampaigns.id })
    .from(evaluationCampaigns)
    .where(and(eq(evaluationCampaigns.status, 'open'), lte(evaluationCampaigns.closesAt, clock.now())));
  const closed: number[] = [];
  for (const { id } of due) {
    try {
      await closeCampaign(db, id, clock, null, sealKey);
      closed.push(id);
    } catch (error) {
      // Closed by someone else between the two queries: nothing left to do.
      if (!(error instanceof EvaluationError && error.code === 'not_open')) throw error;
    }
  }
  return closed;
}
