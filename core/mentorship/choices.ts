/**
 * @module
 * The cadres a pair's form offers: those in the actor's scope, plus the pair's present members
 * (a unit admin editing a pair shared with another unit keeps its other members).
 */
import { asc, eq, inArray, or, sql } from 'drizzle-orm';
import { cadres, units } from '../../db/schema/org.ts';
import type { Db } from '../../db/client.ts';
import type { Scope } from '../org/scope.ts';

export interface CadreChoice {
  id: number;
  name: string;
  unitName: string;
  position: string;
}

export async function cadreChoices(db: Db, scope: Scope, keep: number[] = []): Promise<CadreChoice[]> {
  const inUnits = scope.kind === 'all' ? sql`true` : scope.unitIds.length ? inArray(cadres.unitId, scope.unitIds) : sql`false`;
  return db
    .select({ id: cadres.id, name: cadres.name, unitName: units.name, position: cadres.position })
    .from(cadres)
    .innerJoin(units, eq(units.id, cadres.unitId))
    .where(keep.length ? or(inUnits, inArray(cadres.id, keep)) : inUnits)
    .orderBy(asc(units.sortOrder), asc(units.id), asc(cadres.name));
}
