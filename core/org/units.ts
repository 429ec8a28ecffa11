/**
 * @module
 * The unit tree within a scope, and creating, renaming and moving units.
 */
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { cadres, units, unitKind, type Unit } from '../../db/schema/org.ts';
import type { Db } from '../../db/client.ts';
import { audit, diffOf } from '../audit.ts';
import { hasControlChars, requiredText } from '../validation.ts';
import { inScope, unitAndDescendants, type RequestContext, type Scope } from './scope.ts';

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
