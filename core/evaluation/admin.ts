/**
 * @module
 * What the panel shows about campaigns while setting them up and running them: the list with
 * turnout, targets and raters with names, turnout by rater unit with the names of those who
 * have not voted (for follow-up, and audited), and a custom template's creation. Nothing here
 * reads a ballot: who voted comes from the completion ledger only.
 */
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import { auditLog } from '../../db/schema/audit.ts';
import type { Db } from '../../db/client.ts';
import {
  evaluationCampaigns,
  evaluationRaters,
  evaluationTargets,
  evaluationTemplates,
  evaluationTemplateVersions,
  type EvaluationCampaign,
  type RaterCategory,
} from '../../db/schema/evaluation.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { audit } from '../audit.ts';
import type { Scope } from '../org/scope.ts';
import { EvaluationError } from './errors.ts';
import { templateIssues, type TemplateDefinition } from './templates.ts';

/**
 * What makes a campaign one a unit-bound reader may see. `targets`: one of its units
 * (`unitIds`, the leadership teams it evaluates) or one of its targets' units is theirs: the
 * results, which are about targets. `any` adds campaigns in which a cadre of theirs rates: the
 * list, the campaign page and turnout, where a unit admin follows up their own raters (as the
 * daily digest does).
 */
export type CampaignReach = 'targets' | 'any';

/**
 * The campaigns within a reader's scope, like cadres: a district admin sees all of them ('all'),
 * anyone else those that concern their units (`CampaignReach`), a partner or a unit-bound role
 * without a unit none. Out of scope reads as absent: the pages answer 404.
 */
export async function campaignsInScope(db: Db, scope: Scope, reach: CampaignReach = 'any'): Promise<'all' | Set<number>> {
  if (scope.kind === 'all') return 'all';
  if (scope.unitIds.length === 0) return new Set();
  const ids = scope.unitIds;
  const rows = await db.execute<{ id: number }>(sql`
    select c.id from evaluation_campaigns c where exists (select 1 from unnest(c.unit_ids) u where u in ${ids})
    union select t.campaign_id from evaluation_targets t where t.unit_id in ${ids}
    ${reach === 'any' ? sql`union select r.campaign_id from evaluation_raters r join cadres x on x.id = r.cadre_id where x.unit_id in ${ids}` : sql``}`);
  return new Set(rows.map((r) => Number(r.id)));
}

/** Whether one campaign is within the reader's scope (see `campaignsInScope`). */
export async function campaignInScope(db: Db, scope: Scope, campaignId: number, reach: CampaignReach = 'any'): Promise<boolean> {
  if (scope.kind === 'all') return true;
  const ids = await campaignsInScope(db, scope, reach);
  return ids !== 'all' && ids.has(campaignId);
}

/** Keeps the rows whose campaign is in `visible`. */
export function withinScope<T>(rows: T[], visible: 'all' | Set<number>, idOf: (row: T) => number): T[] {
  return visible === 'all' ? rows : rows.filter((r) => visible.has(idOf(r)));
}

export interface CampaignListRow {
  campaign: EvaluationCampaign;
  templateName: string;
  templateVersion: number;
  assigned: number;
  completed: number;
}

/** Every campaign, newest first, with its overall turnout (raters plus public codes). */
export async function listCampaigns(db: Db): Promise<CampaignListRow[]> {
  const rows = await db
    .select({
      campaign: evaluationCampaigns,
      templateName: evaluationTemplates.name,
      templateVersion: evaluationTemplateVersions.version,
      assigned: sql<number>`(select count(*)::int from evaluation_raters r where r.campaign_id = ${evaluationCampaigns.id})
        + (select count(*)::int from evaluation_public_codes p where p.campaign_id = ${evaluationCampaigns.id})`,
      completed: sql<number>`(select count(*)::int from evaluation_completions c where c.campaign_id = ${evaluationCampaigns.id})
        + (select count(*)::int from evaluation_public_codes p where p.campaign_id = ${evaluationCampaigns.id} and p.used)`,
    })
    .from(evaluationCampaigns)
    .innerJoin(evaluationTemplateVersions, eq(evaluationTemplateVersions.id, evaluationCampaigns.templateVersionId))
    .innerJoin(evaluationTemplates, eq(evaluationTemplates.id, evaluationTemplateVersions.templateId))
    .orderBy(desc(evaluationCampaigns.year), desc(evaluationCampaigns.id));
  return rows.map((r) => ({ ...r, assigned: Number(r.assigned), completed: Number(r.completed) }));
}

export interface PersonRow {
  id: number;
  name: string;
  unitId: number;
  unitName: string;
  position: string;
}

/** The campaign's targets with names, by unit. */
export async function campaignTargets(db: Db, campaignId: number): Promise<PersonRow[]> {
  return db
    .select({ id: cadres.id, name: cadres.name, unitId: evaluationTargets.unitId, unitName: units.name, position: cadres.position })
    .from(evaluationTargets)
    .innerJoin(cadres, eq(cadres.id, evaluationTargets.cadreId))
    .innerJoin(units, eq(units.id, evaluationTargets.unitId))
    .where(eq(evaluationTargets.campaignId, campaignId))
    .orderBy(asc(units.sortOrder), asc(units.id), desc(cadres.isPrincipal), asc(cadres.id));
}

export type RaterRow = PersonRow & { category: RaterCategory; targetIds: number[] };

/** The campaign's rater assignments with names; one category or all. */
export async function campaignRaters(db: Db, campaignId: number, category?: RaterCategory): Promise<RaterRow[]> {
  return db
    .select({
      id: cadres.id,
      name: cadres.name,
      unitId: cadres.unitId,
      unitName: units.name,
      position: cadres.position,
      category: evaluationRaters.category,
      targetIds: evaluationRaters.targetIds,
    })
    .from(evaluationRaters)
    .innerJoin(cadres, eq(cadres.id, evaluationRaters.cadreId))
    .innerJoin(units, eq(units.id, cadres.unitId))
    .where(and(eq(evaluationRaters.campaignId, campaignId), category ? eq(evaluationRaters.category, category) : undefined))
    .orderBy(asc(units.sortOrder), asc(units.id), asc(cadres.id));
}

export interface UnitTurnout {
  unitId: number;
  unitName: string;
  assigned: number;
  completed: number;
  /** Raters of this unit with an assignment not yet submitted, for follow-up. */
  pending: Array<{ id: number; name: string; categories: RaterCategory[] }>;
}

/**
 * Turnout by the raters' units, within the viewer's scope, with the names of raters still to
 * vote. Reads the completion ledger only: who voted, never what.
 */
export async function turnoutByUnit(db: Db, campaignId: number, scope: Scope): Promise<UnitTurnout[]> {
  if (scope.kind === 'units' && scope.unitIds.length === 0) return [];
  const rows = await db.execute<{ unit_id: number; unit_name: string; cadre_id: number; name: string; category: RaterCategory; done: boolean }>(sql`
    select u.id as unit_id, u.name as unit_name, c.id as cadre_id, c.name, r.category,
           exists (select 1 from evaluation_completions x
                   where x.campaign_id = r.campaign_id and x.cadre_id = r.cadre_id and x.category = r.category) as done
    from evaluation_raters r
    join cadres c on c.id = r.cadre_id
    join units u on u.id = c.unit_id
    where r.campaign_id = ${campaignId}
      ${scope.kind === 'units' ? sql`and u.id in ${scope.unitIds}` : sql``}
    order by u.sort_order, u.id, c.id`);
  const byUnit = new Map<number, UnitTurnout>();
  for (const r of rows) {
    let unit = byUnit.get(r.unit_id);
    if (!unit) byUnit.set(r.unit_id, (unit = { unitId: r.unit_id, unitName: r.unit_name, assigned: 0, completed: 0, pending: [] }));
    unit.assigned++;
    if (r.done) unit.completed++;
    else {
      const person = unit.pending.find((p) => p.id === r.cadre_id);
      if (person) person.categories.push(r.category);
      else unit.pending.push({ id: r.cadre_id, name: r.name, categories: [r.category] });
    }
  }
  return [...byUnit.values()];
}

/** A turnout page polled every few seconds is one viewing: at most one audit row per this long. */
export const TURNOUT_AUDIT_WINDOW_MINUTES = 10;

/**
 * Audits that `actorId` saw the names of raters who have not voted in a campaign (who has voted
 * is personal data too). The panel polls turnout, so repeated views by the same person within
 * `TURNOUT_AUDIT_WINDOW_MINUTES` add no row: each row stands for one sitting.
 */
export async function auditTurnoutView(db: Db, entry: { actorId: number; campaignId: number; nonVoters: number; ip?: string | null }): Promise<boolean> {
  const [recent] = await db
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.actorId, entry.actorId),
        eq(auditLog.entity, 'evaluation_turnout'),
        eq(auditLog.entityId, String(entry.campaignId)),
        gt(auditLog.at, sql`now() - make_interval(mins => ${TURNOUT_AUDIT_WINDOW_MINUTES})`),
      ),
    )
    .limit(1);
  if (recent) return false;
  await audit(db, { actorId: entry.actorId, action: 'view', entity: 'evaluation_turnout', entityId: entry.campaignId, diff: { nonVoters: entry.nonVoters }, ip: entry.ip });
  return true;
}

/** Active cadres whose exact name (or employee number) is `query`, for adding a target or rater. */
export async function findCadresByName(db: Db, query: string): Promise<Array<{ id: number; name: string; unitId: number; unitName: string }>> {
  const q = query.trim();
  if (!q) return [];
  return db
    .select({ id: cadres.id, name: cadres.name, unitId: cadres.unitId, unitName: units.name })
    .from(cadres)
    .innerJoin(units, eq(units.id, cadres.unitId))
    .where(and(eq(cadres.status, 'active'), sql`(${cadres.name} = ${q} or ${cadres.employeeNo} = ${q})`))
    .limit(10);
}

export interface TemplateRow {
  id: number;
  key: string;
  name: string;
  builtIn: boolean;
  latestVersion: number;
  latestVersionId: number;
}

/** Every template with its latest version. */
export async function listTemplates(db: Db): Promise<TemplateRow[]> {
  const rows = await db
    .select({
      id: evaluationTemplates.id,
      key: evaluationTemplates.key,
      name: evaluationTemplates.name,
      builtIn: evaluationTemplates.builtIn,
      latestVersion: sql<number>`max(${evaluationTemplateVersions.version})::int`,
      latestVersionId: sql<number>`(array_agg(${evaluationTemplateVersions.id} order by ${evaluationTemplateVersions.version} desc))[1]`,
    })
    .from(evaluationTemplates)
    .innerJoin(evaluationTemplateVersions, eq(evaluationTemplateVersions.templateId, evaluationTemplates.id))
    .groupBy(evaluationTemplates.id)
    .orderBy(desc(evaluationTemplates.builtIn), asc(evaluationTemplates.id));
  return rows.map((r) => ({ ...r, latestVersion: Number(r.latestVersion), latestVersionId: Number(r.latestVersionId) }));
}

/** Which campaigns use which version of a template. */
export async function templateUsage(db: Db, templateId: number) {
  return db
    .select({ id: evaluationCampaigns.id, title: evaluationCampaigns.title, status: evaluationCampaigns.status, version: evaluationTemplateVersions.version })
    .from(evaluationCampaigns)
    .innerJoin(evaluationTemplateVersions, eq(evaluationTemplateVersions.id, evaluationCampaigns.templateVersionId))
    .where(eq(evaluationTemplateVersions.templateId, templateId))
    .orderBy(desc(evaluationCampaigns.id));
}

/** A new custom template with its first version (key `custom_<n>`). */
export async function createTemplate(db: Db, definition: TemplateDefinition, actorId: number | null): Promise<number> {
  const issues = templateIssues(definition);
  if (issues.length) throw new EvaluationError('invalid_template', issues);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(evaluationTemplates)
      .values({ key: `custom_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`, name: definition.name.trim(), builtIn: false })
      .returning({ id: evaluationTemplates.id });
    await tx.insert(evaluationTemplateVersions).values({ templateId: row!.id, version: 1, definition, createdBy: actorId });
    await audit(tx, { actorId, action: 'create', entity: 'evaluation_template', entityId: row!.id, diff: { name: definition.name, version: 1 } });
    return row!.id;
  });
}

/** Public codes issued and used. */
export async function codeCounts(db: Db, campaignId: number): Promise<{ issued: number; used: number }> {
  const [row] = await db.execute<{ issued: number; used: number }>(sql`
    select count(*)::int as issued, count(*) filter (where used)::int as used from evaluation_public_codes where campaign_id = ${campaignId}`);
  return { issued: Number(row?.issued ?? 0), used: Number(row?.used ?? 0) };
}
