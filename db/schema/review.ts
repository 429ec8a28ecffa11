/**
 * @module
 * The review inbox's marks (审阅): what an office did with an item a feature listed. The items
 * themselves live with their features; a mark names one by its stable key.
 */
import { integer, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { panelUsers } from './users.ts';

export const reviewState = pgEnum('review_state', ['read', 'accepted', 'declined']);

/**
 * One mark per item and office. An office is `district` (the organization department: every
 * district-wide user) or `unit:<id>` (the admins of one unit): colleagues share what they did, so
 * two people do not follow up one item twice, while a unit admin's "read" does not hide an item
 * from the department.
 */
export const reviewMarks = pgTable(
  'review_marks',
  {
    /** `<feature>:<kind>:<id>`. */
    itemKey: text().notNull(),
    office: text().notNull(),
    /** Null: still open, with a comment. */
    state: reviewState(),
    comment: text(),
    actorId: integer().references(() => panelUsers.id, { onDelete: 'set null' }),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.itemKey, t.office] })],
);

export type ReviewMark = typeof reviewMarks.$inferSelect;
export type ReviewState = (typeof reviewState.enumValues)[number];
