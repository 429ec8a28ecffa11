/**
 * @module
 * The organization: units (单位, a tree) and the cadres (干部) who work in them.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';

/** district → sub-districts (街道), parks (园区), bureaus (局) and offices. */
export const unitKind = pgEnum('unit_kind', ['district', 'subdistrict', 'park', 'bureau', 'office']);

export const units = pgTable(
  'units',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
    kind: unitKind().notNull(),
    parentId: integer().references((): AnyPgColumn => units.id, { onDelete: 'restrict' }),
    /** Lark department id, when the unit was synced from the directory. */
    larkDepartmentId: text(),
    sortOrder: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('units_parent_idx').on(t.parentId),
    uniqueIndex('units_lark_department_uq').on(t.larkDepartmentId),
    uniqueIndex('units_sibling_name_uq').on(sql`coalesce(${t.parentId}, 0)`, t.name),
  ],
);

export const gender = pgEnum('gender', ['male', 'female']);
export const cadreStatus = pgEnum('cadre_status', ['active', 'seconded', 'on_leave', 'retired', 'departed']);

export const cadres = pgTable(
  'cadres',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
    gender: gender().notNull(),
    birthDate: date({ mode: 'string' }).notNull(),
    unitId: integer()
      .notNull()
      .references(() => units.id, { onDelete: 'restrict' }),
    position: text().notNull(),
    /** 职级, e.g. 正科级. */
    rank: text().notNull(),
    /** 领导班子成员 */
    isLeader: boolean().notNull().default(false),
    /** 主要领导 */
    isPrincipal: boolean().notNull().default(false),
    education: text(),
    /** 专业领域 */
    field: text(),
    tags: text().array().notNull().default(sql`'{}'::text[]`),
    isPartyMember: boolean().notNull().default(true),
    employeeNo: text(),
    larkOpenId: text(),
    larkUserId: text(),
    mobile: text(),
    status: cadreStatus().notNull().default('active'),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('cadres_unit_idx').on(t.unitId),
    index('cadres_name_idx').on(t.name),
    uniqueIndex('cadres_lark_open_id_uq').on(t.larkOpenId),
    uniqueIndex('cadres_lark_user_id_uq').on(t.larkUserId),
    uniqueIndex('cadres_mobile_uq').on(t.mobile),
    uniqueIndex('cadres_employee_no_uq').on(t.employeeNo),
    check('cadres_principal_is_leader', sql`not ${t.isPrincipal} or ${t.isLeader}`),
  ],
);

export type Unit = typeof units.$inferSelect;
export type NewUnit = typeof units.$inferInsert;
export type Cadre = typeof cadres.$inferSelect;
export type NewCadre = typeof cadres.$inferInsert;
