/**
 * @module
 * Who is acting and which units they may see. Every read of personnel data takes a `Scope` built
 * by `scopeOf(actor)`, so a unit admin can neither list, open nor export a cadre of another unit,
 * whatever URL they type: out of scope reads the same as "does not exist".
 */
import { sql } from 'drizzle-orm';
import type { PanelUser } from '../../db/schema/users.ts';
import type { Db } from '../../db/client.ts';
import { canSeeProfiles, isDistrictAdmin } from '../roles.ts';

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
  if (isDistrictAdmin(actor)) return { kind: 'all' };
  if (!canSeeProfiles(actor) || actor.unitId == null) return { kind: 'units', unitIds: [] };
  return { kind: 'units', unitIds: await unitAndDescendants(db, actor.unitId) };
}

export function inScope(scope: Scope, unitId: number): boolean {
  return scope.kind === 'all' || scope.unitIds.includes(unitId);
}

/** Who acts, what they may see, and from where: what every audited change takes. */
export interface RequestContext {
  actor: Actor;
  scope: Scope;
  ip: string | null;
}
