/**
 * @module
 * What the reminder engine reads besides each feature's own tables: the work calendar
 * (statutory holidays and make-up workdays per year) and cadres' absences.
 */
import { check, date, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { cadres } from './org.ts';
import { panelUsers } from './users.ts';

export const calendarDayKind = pgEnum('calendar_day_kind', ['holiday', 'workday']);

/** Days that do not follow the week (法定节假日 / 调休上班日). */
export const workCalendarDays = pgTable('work_calendar_days', {
  date: date({ mode: 'string' }).primaryKey(),
  kind: calendarDayKind().notNull(),
  name: text().notNull(),
});

/** Years whose notice has been entered; a year absent here is warned about on the dashboard. */
export const workCalendarYears = pgTable('work_calendar_years', {
  year: integer().primaryKey(),
  /** `builtin` (shipped), `panel` (edited) or `import` (a CSV). */
  source: text().notNull(),
  updatedBy: integer().references(() => panelUsers.id, { onDelete: 'set null' }),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** 请假 / 外出培训 / 异地挂职 / other. */
export const absenceKind = pgEnum('absence_kind', ['leave', 'training', 'secondment', 'other']);

export const cadreAbsences = pgTable(
  'cadre_absences',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    cadreId: integer()
      .notNull()
      .references(() => cadres.id, { onDelete: 'cascade' }),
    startsOn: date({ mode: 'string' }).notNull(),
    endsOn: date({ mode: 'string' }).notNull(),
    kind: absenceKind().notNull(),
    note: text(),
    /** `panel`, or `lark` for a leave approval read from Lark's attendance API. */
    source: text().notNull().default('panel'),
    /** Lark's approval instance id, so a re-read approval is not entered twice. */
    larkApprovalId: text(),
    createdBy: integer().references(() => panelUsers.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('cadre_absences_cadre_idx').on(t.cadreId, t.startsOn),
    uniqueIndex('cadre_absences_lark_uq').on(t.larkApprovalId),
    check('cadre_absences_order', sql`${t.startsOn} <= ${t.endsOn}`),
  ],
);

export type CadreAbsence = typeof cadreAbsences.$inferSelect;
