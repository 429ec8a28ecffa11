/**
 * @module
 * The audit log: append-only. Miaopu only ever inserts here; a trigger refuses updates and
 * deletes so that not even a bug can rewrite history.
 */
import { bigint, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { panelUsers } from './users.ts';

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Null for actions by the system itself (boot, schedules, the CLI). */
    actorId: integer().references(() => panelUsers.id, { onDelete: 'restrict' }),
    /** e.g. create, update, delete, view, export, login */
    action: text().notNull(),
    entity: text().notNull(),
    entityId: text(),
    /** For changes: {field: [before, after]}; for exports: the filter used. */
    diff: jsonb(),
    ip: text(),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_actor_idx').on(t.actorId, t.at),
    index('audit_log_entity_idx').on(t.entity, t.entityId),
  ],
);

export type AuditRow = typeof auditLog.$inferSelect;
