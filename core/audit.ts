/**
 * @module
 * Writes the audit log. Every change, every export and every view of a cadre profile goes
 * through `audit`, inside the same transaction as the change it records.
 */
import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { auditLog, type AuditRow } from '../db/schema/audit.ts';
import { panelUsers } from '../db/schema/users.ts';
import type { Db } from '../db/client.ts';

export interface AuditEntry {
  /** Panel user id; null for the system (boot, schedules, CLI). */
  actorId: number | null;
  action: 'create' | 'update' | 'delete' | 'view' | 'export' | 'import' | 'login' | 'logout' | (string & {});
  entity: string;
  entityId?: string | number | null;
  diff?: unknown;
  ip?: string | null;
}

type Executor = Pick<Db, 'insert'>;

export async function audit(db: Executor, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actorId: entry.actorId,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId == null ? null : String(entry.entityId),
    diff: entry.diff ?? null,
    ip: entry.ip ?? null,
  });
}

/** {field: [before, after]} for the fields that changed. */
export function diffOf<T extends Record<string, unknown>>(before: T, after: Partial<T>): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  for (const [key, value] of Object.entries(after)) {
    const old = before[key];
    if (JSON.stringify(old) !== JSON.stringify(value)) changes[key] = [old ?? null, value ?? null];
  }
  return changes;
}

export const AUDIT_PAGE_SIZE = 50;

export interface AuditFilters {
  actorId?: number;
  entity?: string;
  action?: string;
  /** Inclusive day bounds, YYYY-MM-DD in the department's time zone. */
  from?: string;
  to?: string;
  page: number;
}

export type AuditListRow = Pick<AuditRow, 'id' | 'at' | 'actorId' | 'action' | 'entity' | 'entityId' | 'diff' | 'ip'> & { actorName: string | null };

/**
 * One page of the audit log, newest first, filtered.
 * @example await listAudit(db, { entity: 'cadre', action: 'view', page: 1 }, '+08:00')
 */
export async function listAudit(db: Db, f: AuditFilters, utcOffset = '+08:00'): Promise<{ rows: AuditListRow[]; total: number }> {
  const conditions = [
    f.actorId ? eq(auditLog.actorId, f.actorId) : undefined,
    f.entity ? eq(auditLog.entity, f.entity) : undefined,
    f.action ? eq(auditLog.action, f.action) : undefined,
    f.from ? gte(auditLog.at, new Date(`${f.from}T00:00:00${utcOffset}`)) : undefined,
    f.to ? lt(auditLog.at, new Date(new Date(`${f.to}T00:00:00${utcOffset}`).getTime() + 86_400_000)) : undefined,
  ];
  const where = and(...conditions);
  const [rows, [count]] = await Promise.all([
    db
      .select({
        id: auditLog.id,
        at: auditLog.at,
        actorId: auditLog.actorId,
        action: auditLog.action,
        entity: auditLog.entity,
        entityId: auditLog.entityId,
        diff: auditLog.diff,
        ip: auditLog.ip,
        actorName: panelUsers.displayName,
      })
      .from(auditLog)
      .leftJoin(panelUsers, eq(panelUsers.id, auditLog.actorId))
      .where(where)
      .orderBy(desc(auditLog.at), desc(auditLog.id))
      .limit(AUDIT_PAGE_SIZE)
      .offset((f.page - 1) * AUDIT_PAGE_SIZE),
    db.select({ n: sql<number>`count(*)::int` }).from(auditLog).where(where),
  ]);
  return { rows, total: count?.n ?? 0 };
}

/** The entities and actions that occur, for the filter menus. */
export async function auditFacets(db: Db): Promise<{ entities: string[]; actions: string[] }> {
  const [entities, actions] = await Promise.all([
    db.selectDistinct({ v: auditLog.entity }).from(auditLog).orderBy(auditLog.entity),
    db.selectDistinct({ v: auditLog.action }).from(auditLog).orderBy(auditLog.action),
  ]);
  return { entities: entities.map((r) => r.v), actions: actions.map((r) => r.v) };
}
