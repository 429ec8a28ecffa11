/**
 * @module
 * Panel sign-in state: server-side sessions (revocable) and the failed sign-in attempts that
 * throttling counts.
 */
import { bigint, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { panelUsers } from './users.ts';

export const sessions = pgTable(
  'sessions',
  {
    /** sha256 of the cookie value: a database leak does not hand out live sessions. */
    id: text().primaryKey(),
    userId: integer()
      .notNull()
      .references(() => panelUsers.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    ip: text(),
    /** Set when signed out or revoked; the row stays for the record. */
    endedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const loginFailures = pgTable(
  'login_failures',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** `user:<username>` or `ip:<address>`. */
    key: text().notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('login_failures_key_at_idx').on(t.key, t.at)],
);

export type Session = typeof sessions.$inferSelect;
