/**
 * @module
 * Panel users: the department's staff and partner departments who sign in to the panel.
 */
import { boolean, integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { units } from './org.ts';

/**
 * district_admin sees everything; unit_admin and viewer see their unit and its sub-units;
 * partner (a partner department) adds supervision records and sees no profiles.
 */
export const panelRole = pgEnum('panel_role', ['district_admin', 'unit_admin', 'partner', 'viewer']);

export const panelUsers = pgTable(
  'panel_users',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    username: text().notNull(),
    displayName: text().notNull(),
    passwordHash: text().notNull(),
    role: panelRole().notNull(),
    /** The root of what this user may see; null for district-wide roles. */
    unitId: integer().references(() => units.id, { onDelete: 'restrict' }),
    larkOpenId: text(),
    disabled: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('panel_users_username_uq').on(t.username),
    uniqueIndex('panel_users_lark_open_id_uq').on(t.larkOpenId),
  ],
);

export type PanelUser = typeof panelUsers.$inferSelect;
export type PanelRole = (typeof panelRole.enumValues)[number];
