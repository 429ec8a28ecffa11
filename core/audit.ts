/**
 * @module
 * Writes the audit log. Every change, every export and every view of a cadre profile goes
 * through `audit`, inside the same transaction as the change it records.
 */
import { auditLog } from '../db/schema/audit.ts';
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
