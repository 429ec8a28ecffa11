/**
 * @module
 * The organization as a signed-in person may see it. Every read takes a `Scope` built by
 * `scopeOf(actor)`, so a unit admin can neither list, open nor export a cadre of another unit,
 * whatever URL they type: out of scope reads the same as "does not exist".
 */
import { and, asc, desc, eq, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { cadres, cadreStatus, units, unitKind, type Cadre, type Unit } from '../db/schema/org.ts';
import { auditLog } from '../db/schema/audit.ts';
import type { PanelUser } from '../db/schema/users.ts';
import type { Db } from '../db/client.ts';
import { audit, diffOf } from './audit.ts';
import { idSchema } from './ids.ts';
import { dayText, filterText, hasControlChars, optionalText, requiredText } from './validation.ts';

/** Who is acting: enough of a panel user to decide what they may see and do. */
export type Actor = Pick<PanelUser, 'id' | 'role' | 'unitId'>;

/** The units an actor may see: all of them, a set (a unit and its sub-units), or none. */
export type Scope = { kind: 'all' } | { kind: 'units'; unitIds: number[] };

/** The unit and every unit below it. */
export async function unitAndDescendants(db: Db, unitId: number): Promise<number[]> {
  const rows = await db.execute<{ id: number }>(sql`
    with recursive tree as (
      select id from units where id = ${unitId}
      union all select u.id from units u join tree t on u.parent_id = t.id)
    select id from tree`);
  return rows.map((r) => r.id);
}

/**
 * What an actor may see. Partners (partner departments) see no cadre profiles at all, and a
 * unit-bound role without a unit sees nothing rather than everything.
 * @example const scope = await scopeOf(db, user); await listCadres(db, scope, filters, today)
 */
export async function scopeOf(db: Db, actor: Actor): Promise<Scope> {
  if (actor.role === 'district_admin') return { kind: 'all' };
  if (actor.role === 'partner' || actor.unitId == null) return { kind: 'units', unitIds: [] };
  return { kind: 'units', unitIds: await unitAndDescendants(db, actor.unitId) };
}

export function inScope(scope: Scope, unitId: number): boolean {
  return scope.kind === 'all' || scope.unitIds.includes(unitId);
}

function unitCondition(scope: Scope): SQL | undefined {
  if (scope.kind === 'all') return undefined;
  return scope.unitIds.length ? inArray(cadres.unitId, scope.unitIds) : sql`false`;
}

export const AGE_BANDS = ['under35', '35to44', '45to54', '55plus'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
export const CADRE_SORTS = ['name', 'age', 'unit', 'rank'] as const;
export const LEADERSHIP = ['principal', 'leader', 'staff'] as const;
export const PAGE_SIZE = 20;

/** The filters of the cadre list; they live in the URL, so they are parsed from strings. */
export const cadreFilterSchema = z.object({
  q: filterText(50),
  unit: idSchema().optional().catch(undefined),
  rank: filterText(30),
  age: z.enum(AGE_BANDS).optional().catch(undefined),
  team: z.enum(LEADERSHIP).optional().catch(undefined),
  tag: filterText(30),
  status: z.enum(cadreStatus.enumValues).optional().catch(undefined),
  sort: z.enum(CADRE_SORTS).default('unit').catch('unit'),
  dir: z.enum(['asc', 'desc']).default('asc').catch('asc'),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
});
export type CadreFilters = z.infer<typeof cadreFilterSchema>;

/** Parses query-string filters; empty strings mean "no filter". */
export function parseCadreFilters(query: Record<string, string | undefined>): CadreFilters {
  const cleaned = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== ''));
  return cadreFilterSchema.parse(cleaned);
}

function yearsBefore(today: Date, years: number): string {
  const d = new Date(Date.UTC(today.getUTCFullYear() - years, today.getUTCMonth(), today.getUTCDate()));
  return d.toISOString().slice(0, 10);
}

async function filterConditions(db: Db, scope: Scope, f: CadreFilters, today: Date): Promise<SQL[]> {
  const conditions: SQL[] = [];
  const scoped = unitCondition(scope);
  if (scoped) conditions.push(scoped);
  if (f.q) conditions.push(ilike(cadres.name, `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`));
  if (f.unit) conditions.push(inArray(cadres.unitId, await unitAndDescendants(db, f.unit)));
  if (f.rank) conditions.push(eq(cadres.rank, f.rank));
  if (f.tag) conditions.push(sql`${f.tag} = any(${cadres.tags})`);
  if (f.status) conditions.push(eq(cadres.status, f.status));
  if (f.team === 'principal') conditions.push(eq(cadres.isPrincipal, true));
  if (f.team === 'leader') conditions.push(eq(cadres.isLeader, true));
  if (f.team === 'staff') conditions.push(eq(cadres.isLeader, false));
  if (f.age) {
    // Age bands as birth-date ranges, so the condition can use an index and needs no age() per row.
    const [younger, older] = { under35: [35, null], '35to44': [45, 35], '45to54': [55, 45], '55plus': [null, 55] }[f.age];
    if (younger != null) conditions.push(sql`${cadres.birthDate} > ${yearsBefore(today, younger)}`);
    if (older != null) conditions.push(sql`${cadres.birthDate} <= ${yearsBefore(today, older)}`);
  }
  return conditions;
}

export type CadreRow = Pick<Cadre, 'id' | 'name' | 'gender' | 'birthDate' | 'position' | 'rank' | 'isLeader' | 'isPrincipal' | 'tags' | 'status' | 'unitId'> & {
  unitName: string;
};

const rowColumns = {
  id: cadres.id,
  name: cadres.name,
  gender: cadres.gender,
  birthDate: cadres.birthDate,
  position: cadres.position,
  rank: cadres.rank,
  isLeader: cadres.isLeader,
  isPrincipal: cadres.isPrincipal,
  tags: cadres.tags,
  status: cadres.status,
  unitId: cadres.unitId,
  unitName: units.name,
};

function orderOf(f: CadreFilters): SQL[] {
  const dir = f.dir === 'desc' ? desc : asc;
  switch (f.sort) {
    case 'name':
      return [dir(sql`${cadres.name} collate "C"`), asc(cadres.id)];
    // Older first when ascending by age means the earliest birth date first.
    case 'age':
      return [f.dir === 'desc' ? desc(cadres.birthDate) : asc(cadres.birthDate), asc(cadres.id)];
    case 'rank':
      return [dir(cadres.rank), asc(cadres.id)];
    default:
      return [dir(units.sortOrder), dir(units.id), desc(cadres.isPrincipal), desc(cadres.isLeader), asc(cadres.id)];
  }
}

/**
 * One page of the cadre list and the total count, within scope.
 * @example const { rows, total } = await listCadres(db, scope, parseCadreFilters(c.req.query()), clock.now())
 */
export async function listCadres(db: Db, scope: Scope, f: CadreFilters, today: Date): Promise<{ rows: CadreRow[]; total: number }> {
  const where = and(...(await filterConditions(db, scope, f, today)));
  const [rows, [count]] = await Promise.all([
    db
      .select(rowColumns)
      .from(cadres)
      .innerJoin(units, eq(units.id, cadres.unitId))
      .where(where)
      .orderBy(...orderOf(f))
      .limit(PAGE_SIZE)
      .offset((f.page - 1) * PAGE_SIZE),
    db.select({ n: sql<number>`count(*)::int` }).from(cadres).where(where),
  ]);
  return { rows, total: count?.n ?? 0 };
}

/** Every cadre matching the filters (no paging), for exports. */
export async function allCadres(db: Db, scope: Scope, f: CadreFilters, today: Date): Promise<Array<CadreRow & Pick<Cadre, 'education' | 'field' | 'employeeNo' | 'isPartyMember'>>> {
  const where = and(...(await filterConditions(db, scope, f, today)));
  return db
    .select({ ...rowColumns, education: cadres.education, field: cadres.field, employeeNo: cadres.employeeNo, isPartyMember: cadres.isPartyMember })
    .from(cadres)
    .innerJoin(units, eq(units.id, cadres.unitId))
    .where(where)
    .orderBy(...orderOf(f));
}

/** Distinct ranks and tags in scope, for the filter menus. */
export async function cadreFacets(db: Db, scope: Scope): Promise<{ ranks: string[]; tags: string[] }> {
  const where = unitCondition(scope);
  const [ranks, tags] = await Promise.all([
    db.selectDistinct({ v: cadres.rank }).from(cadres).where(where).orderBy(cadres.rank),
    db.selectDistinct({ v: sql<string>`unnest(${cadres.tags})` }).from(cadres).where(where).orderBy(sql`1`),
  ]);
  return { ranks: ranks.map((r) => r.v), tags: tags.map((r) => r.v) };
}

export type CadreProfile = Cadre & { unitName: string };

/** A cadre, or null when there is none or it is outside the scope (the caller answers 404 either way). */
export async function findCadre(db: Db, scope: Scope, id: number): Promise<CadreProfile | null> {
  const [row] = await db
    .select({ cadre: cadres, unitName: units.name })
    .from(cadres)
    .innerJoin(units, eq(units.id, cadres.unitId))
    .where(and(eq(cadres.id, id), unitCondition(scope)));
  return row ? { ...row.cadre, unitName: row.unitName } : null;
}

export interface RequestContext {
  actor: Actor;
  scope: Scope;
  ip: string | null;
}

/**
 * Opens a profile: reads it within scope and records the view in the audit log, because
 * reading personnel data is itself something the department must be able to account for.
 */
export async function viewCadre(db: Db, ctx: RequestContext, id: number): Promise<CadreProfile | null> {
  const cadre = await findCadre(db, ctx.scope, id);
  if (cadre) await audit(db, { actorId: ctx.actor.id, action: 'view', entity: 'cadre', entityId: id, ip: ctx.ip });
  return cadre;
}

/** What an edit may change; error messages are codes that the panel translates. */
export const cadreInputSchema = z.object({
  name: requiredText(30),
  gender: z.enum(['male', 'female'], 'required'),
  birthDate: dayText,
  unitId: idSchema('required'),
  position: requiredText(60),
  rank: requiredText(30),
  isLeader: z.boolean(),
  isPrincipal: z.boolean(),
  education: optionalText(30),
  field: optionalText(30),
  tags: z.array(requiredText(30)).max(20),
  isPartyMember: z.boolean(),
  employeeNo: optionalText(30),
  mobile: z
    .string()
    .trim()
    .transform((v) => (v === '' ? null : v))
    .refine((v) => v == null || /^1\d{10}$/.test(v), 'bad_mobile')
    .nullable(),
  status: z.enum(cadreStatus.enumValues),
});
export type CadreInput = z.infer<typeof cadreInputSchema>;

export type UpdateResult = { ok: true; cadre: CadreProfile } | { ok: false; errors: Record<string, string> } | { ok: false; notFound: true };

/** Saves an edit within scope, with an audit row holding what changed. */
export async function updateCadre(db: Db, ctx: RequestContext, id: number, input: unknown): Promise<UpdateResult> {
  // Out of scope reads as absent, before any validation could hint that the cadre exists.
  if (!(await findCadre(db, ctx.scope, id))) return { ok: false, notFound: true };
  const parsed = cadreInputSchema.safeParse(input);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message.match(/^[a-z_]+$/) ? issue.message : 'invalid';
    return { ok: false, errors };
  }
  const next = { ...parsed.data, isLeader: parsed.data.isLeader || parsed.data.isPrincipal };
  if (!inScope(ctx.scope, next.unitId)) return { ok: false, errors: { unitId: 'out_of_scope' } };
  return db.transaction(async (tx): Promise<UpdateResult> => {
    const [before] = await tx.select().from(cadres).where(and(eq(cadres.id, id), unitCondition(ctx.scope))).for('update');
    if (!before) return { ok: false, notFound: true };
    if (next.mobile) {
      const [taken] = await tx.select({ id: cadres.id }).from(cadres).where(and(eq(cadres.mobile, next.mobile), sql`${cadres.id} <> ${id}`));
      if (taken) return { ok: false, errors: { mobile: 'duplicate_mobile' } };
    }
    const [unit] = await tx.select({ id: units.id }).from(units).where(eq(units.id, next.unitId));
    if (!unit) return { ok: false, errors: { unitId: 'unknown_unit' } };
    const diff = diffOf(before, next);
    if (Object.keys(diff).length > 0) {
      await tx.update(cadres).set({ ...next, updatedAt: new Date() }).where(eq(cadres.id, id));
      await audit(tx, { actorId: ctx.actor.id, action: 'update', entity: 'cadre', entityId: id, diff, ip: ctx.ip });
    }
    const [after] = await tx.select({ cadre: cadres, unitName: units.name }).from(cadres).innerJoin(units, eq(units.id, cadres.unitId)).where(eq(cadres.id, id));
    return { ok: true, cadre: { ...after!.cadre, unitName: after!.unitName } };
  });
}

/** One entry on a cadre's timeline; later features (evaluations, mentorship, …) add sources. */
export interface TimelineEntry {
  at: Date;
  kind: string;
  title: string;
  detail?: string;
  /** Fields a record change touched; the panel shows their labels. */
  fields?: string[];
  /** A panel page with more about the entry (e.g. an evaluation's results). */
  href?: string;
}
/** A source words its entries' details in the reader's language. */
export type TimelineSource = (db: Db, cadreId: number, lang: 'zh' | 'en') => Promise<TimelineEntry[]>;

/** Changes to the record itself, from the audit log. */
export const recordChanges: TimelineSource = async (db, cadreId) => {
  const rows = await db
    .select({ at: auditLog.at, action: auditLog.action, diff: auditLog.diff })
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'cadre'), eq(auditLog.entityId, String(cadreId)), inArray(auditLog.action, ['create', 'update', 'import'])))
    .orderBy(desc(auditLog.at))
    .limit(50);
  return rows.map((r) => ({
    at: r.at,
    kind: `record_${r.action}`,
    title: r.action,
    fields: r.action === 'update' && r.diff && typeof r.diff === 'object' ? Object.keys(r.diff as object) : undefined,
  }));
};

export async function cadreTimeline(db: Db, cadreId: number, sources: TimelineSource[], lang: 'zh' | 'en' = 'zh'): Promise<TimelineEntry[]> {
  const all = (await Promise.all(sources.map((s) => s(db, cadreId, lang)))).flat();
  return all.sort((a, b) => b.at.getTime() - a.at.getTime());
}

export type UnitNode = Unit & { direct: number; total: number; children: UnitNode[] };

/** The unit tree within scope, each unit with its own and its subtree's cadre counts. */
export async function unitTree(db: Db, scope: Scope): Promise<UnitNode[]> {
  const [all, counts] = await Promise.all([
    db.select().from(units).orderBy(units.sortOrder, units.id),
    db.select({ unitId: cadres.unitId, n: sql<number>`count(*)::int` }).from(cadres).groupBy(cadres.unitId),
  ]);
  const direct = new Map(counts.map((c) => [c.unitId, c.n]));
  const nodes = new Map<number, UnitNode>(all.map((u) => [u.id, { ...u, direct: direct.get(u.id) ?? 0, total: 0, children: [] }]));
  const roots: UnitNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId == null ? undefined : nodes.get(node.parentId);
    if (parent && inScope(scope, parent.id)) parent.children.push(node);
    else if (inScope(scope, node.id)) roots.push(node);
  }
  const sum = (n: UnitNode): number => (n.total = n.direct + n.children.reduce((s, c) => s + sum(c), 0));
  roots.forEach(sum);
  return roots;
}

/** Units in scope as a flat list in tree order, with depth, for menus. */
export async function unitOptions(db: Db, scope: Scope): Promise<Array<{ id: number; name: string; depth: number }>> {
  const out: Array<{ id: number; name: string; depth: number }> = [];
  const walk = (n: UnitNode, depth: number) => {
    out.push({ id: n.id, name: n.name, depth });
    n.children.forEach((c) => walk(c, depth + 1));
  };
  (await unitTree(db, scope)).forEach((n) => walk(n, 0));
  return out;
}

export const unitInputSchema = z.object({
  name: requiredText(40),
  kind: z.enum(unitKind.enumValues, 'required'),
  parentId: z.coerce.number().int().positive().nullable(),
});

export type UnitResult = { ok: true; unit: Unit } | { ok: false; error: string };

/**
 * Two saves at once can both pass `uniqueSiblingName`; the database's index on
 * (coalesce(parent_id, 0), name) then refuses the second, which reads as the same error.
 */
function siblingNameClash(error: unknown): boolean {
  for (let e = error as { code?: string; constraint_name?: string; cause?: unknown } | undefined, depth = 0; e && depth < 3; e = e.cause as typeof e, depth++) {
    if (e.code === '23505' && e.constraint_name === 'units_sibling_name_uq') return true;
  }
  return false;
}
const duplicateUnit = (error: unknown): UnitResult => {
  if (siblingNameClash(error)) return { ok: false, error: 'duplicate_unit' };
  throw error;
};

async function uniqueSiblingName(tx: Pick<Db, 'select'>, parentId: number | null, name: string, exceptId?: number) {
  const [clash] = await tx
    .select({ id: units.id })
    .from(units)
    .where(and(sql`coalesce(${units.parentId}, 0) = ${parentId ?? 0}`, eq(units.name, name), exceptId ? sql`${units.id} <> ${exceptId}` : undefined));
  return !clash;
}

export async function createUnit(db: Db, ctx: RequestContext, input: unknown): Promise<UnitResult> {
  const parsed = unitInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: 'invalid_unit' };
  const { name, kind, parentId } = parsed.data;
  if (parentId == null ? ctx.scope.kind !== 'all' : !inScope(ctx.scope, parentId)) return { ok: false, error: 'out_of_scope' };
  return db.transaction(async (tx) => {
    if (!(await uniqueSiblingName(tx, parentId, name))) return { ok: false, error: 'duplicate_unit' } as const;
    const maxOrder = await tx.select({ n: sql<number>`coalesce(max(sort_order), 0)::int` }).from(units);
    const [unit] = await tx.insert(units).values({ name, kind, parentId, sortOrder: (maxOrder[0]?.n ?? 0) + 1 }).returning();
    await audit(tx, { actorId: ctx.actor.id, action: 'create', entity: 'unit', entityId: unit!.id, diff: { name, kind, parentId }, ip: ctx.ip });
    return { ok: true, unit: unit! } as const;
  }).catch(duplicateUnit);
}

/** Renames and/or moves a unit; refuses to move a unit under itself. */
export async function changeUnit(db: Db, ctx: RequestContext, id: number, input: { name?: string; parentId?: number | null }): Promise<UnitResult> {
  if (!inScope(ctx.scope, id)) return { ok: false, error: 'not_found' };
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(units).where(eq(units.id, id)).for('update');
    if (!before) return { ok: false, error: 'not_found' } as const;
    const name = input.name === undefined ? before.name : input.name.trim();
    if (!name || name.length > 40 || hasControlChars(name)) return { ok: false, error: 'invalid_unit' } as const;
    const parentId = input.parentId === undefined ? before.parentId : input.parentId;
    if (parentId !== before.parentId) {
      if (parentId == null ? ctx.scope.kind !== 'all' : !inScope(ctx.scope, parentId)) return { ok: false, error: 'out_of_scope' } as const;
      if (parentId != null && (await unitAndDescendants(tx as unknown as Db, id)).includes(parentId)) return { ok: false, error: 'cycle' } as const;
    }
    if (!(await uniqueSiblingName(tx, parentId, name, id))) return { ok: false, error: 'duplicate_unit' } as const;
    const diff = diffOf(before, { name, parentId });
    if (Object.keys(diff).length === 0) return { ok: true, unit: before } as const;
    const [unit] = await tx.update(units).set({ name, parentId, updatedAt: new Date() }).where(eq(units.id, id)).returning();
    await audit(tx, { actorId: ctx.actor.id, action: 'update', entity: 'unit', entityId: id, diff, ip: ctx.ip });
    return { ok: true, unit: unit! } as const;
  }).catch(duplicateUnit);
}

/** Headline counts for the dashboard, within scope. */
export async function orgCounts(db: Db, scope: Scope, today: Date): Promise<{ cadres: number; leaders: number; young: number; units: number; byAge: Record<AgeBand, number> }> {
  const where = unitCondition(scope);
  const cut = (years: number) => yearsBefore(today, years);
  const [row] = await db
    .select({
      cadres: sql<number>`count(*)::int`,
      leaders: sql<number>`count(*) filter (where ${cadres.isLeader})::int`,
      young: sql<number>`count(*) filter (where ${cadres.birthDate} > ${cut(35)})::int`,
      a2: sql<number>`count(*) filter (where ${cadres.birthDate} <= ${cut(35)} and ${cadres.birthDate} > ${cut(45)})::int`,
      a3: sql<number>`count(*) filter (where ${cadres.birthDate} <= ${cut(45)} and ${cadres.birthDate} > ${cut(55)})::int`,
      a4: sql<number>`count(*) filter (where ${cadres.birthDate} <= ${cut(55)})::int`,
      units: sql<number>`count(distinct ${cadres.unitId})::int`,
    })
    .from(cadres)
    .where(where);
  const r = row!;
  const unitCount = scope.kind === 'all' ? (await db.select({ n: sql<number>`count(*)::int` }).from(units))[0]!.n : scope.unitIds.length;
  return { cadres: r.cadres, leaders: r.leaders, young: r.young, units: unitCount, byAge: { under35: r.young, '35to44': r.a2, '45to54': r.a3, '55plus': r.a4 } };
}
