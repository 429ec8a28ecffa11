/**
 * @module
 * Liveness of scheduled work: each scheduler records when it last ran, shown on /readyz.
 */
import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const heartbeats = pgTable('heartbeats', {
  name: text().primaryKey(),
  ranAt: timestamp({ withTimezone: true }).notNull(),
});
