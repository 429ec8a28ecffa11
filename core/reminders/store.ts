/**
 * @module
 * The reminder engine's reads and writes: the work calendar (built-in years, edited or imported
 * years), absences, and how many proactive messages each person already had today. Writes are
 * audited; absences are read and written within the actor's scope.
 */
import { and, eq, gte, lt, lte, notLike, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { isDay } from '../dates.ts';
import type { Db } from '../../db/client.ts';
import { cadreAbsences, workCalendarDays, workCalendarYears, type CadreAbsence } from '../../db/schema/reminders.ts';
import { outbox } from '../../db/schema/lark.ts';
import { panelUsers } from '../../db/schema/users.ts';
import { cadres } from '../../db/schema/org.ts';
import { audit } from '../audit.ts';
import { inScope, type RequestContext, type Scope } from '../org/scope.ts';
import { WorkCalendar, builtinSpecialDays, checkSpecialDay, type SpecialDay, type SpecialDayIssue } from './calendar.ts';
import type { Absence } from './absence.ts';

/**
 * `column = any($1)` with one array parameter: a sweep asks about thousands of people at once,
 * and one array binds far faster than thousands of parameters in an IN list.
 */
export function anyOf(column: AnyColumn, values: readonly (string | number)[], type: 'text' | 'int'): SQL {
  return type === 'int' ? sql`${column} = any(${sql.param(values)}::int[])` : sql`${column} = any(${sql.param(values)}::text[])`;
}

/** Enters the shipped years that the database does not have yet; an edited year is left alone. */
export async function ensureBuiltinCalendar(db: Db): Promise<void> {
  const days = builtinSpecialDays();
  const years = [...new Set(days.map((d) => Number(d.date.slice(0, 4))))];
  await db.transaction(async (tx) => {
    for (const year of years) {
      const inserted = await tx.insert(workCalendarYears).values({ year, source: 'builtin' }).onConflictDoNothing().returning();
      if (inserted.length === 0) continue;
      await tx.insert(workCalendarDays).values(days.filter((d) => d.date.startsWith(`${year}-`))).onConflictDoNothing();
    }
  });
}

export async function loadWorkCalendar(db: Db): Promise<WorkCalendar> {
  const [days, years] = await Promise.all([db.select().from(workCalendarDays), db.select({ year: workCalendarYears.year }).from(workCalendarYears)]);
  return new WorkCalendar(days, years.map((y) => y.year));
}

export async function calendarYears(db: Db) {
  return db.select().from(workCalendarYears).orderBy(workCalendarYears.year);
}

/**
 * Replaces a year's special days with `days` (all of one year), in one transaction, audited
 * with the before and after lists.
 */
export async function replaceCalendarYear(db: Db, ctx: RequestContext, year: number, days: SpecialDay[], source: 'panel' | 'import'): Promise<void> {
  if (days.some((d) => !d.date.startsWith(`${year}-`))) throw new RangeError('every day must belong to the year being replaced');
  await db.transaction(async (tx) => {
    const from = `${year}-01-01`;
    const to = `${year}-12-31`;
    const before = await tx.select().from(workCalendarDays).where(and(gte(workCalendarDays.date, from), lte(workCalendarDays.date, to)));
    await tx.delete(workCalendarDays).where(and(gte(workCalendarDays.date, from), lte(workCalendarDays.date, to)));
    if (days.length) await tx.insert(workCalendarDays).values(days);
    await tx
      .insert(workCalendarYears)
      .values({ year, source, updatedBy: ctx.actor.id })
      .onConflictDoUpdate({ target: workCalendarYears.year, set: { source, updatedBy: ctx.actor.id, updatedAt: sql`now()` } });
    await audit(tx, { actorId: ctx.actor.id, action: source === 'import' ? 'import' : 'update', entity: 'work_calendar', entityId: year, diff: { before: before.length, after: days.length }, ip: ctx.ip });
  });
}

/**
 * Enters one special day by hand, audited; its year then counts as entered (someone is typing
 * in the notice). A date already listed is refused, not overwritten.
 */
export async function addCalendarDay(db: Db, ctx: RequestContext, input: { date: string; kind: string; name: string }): Promise<{ day: SpecialDay } | { issue: SpecialDayIssue }> {
  const checked = checkSpecialDay(input, () => false);
  if ('code' in checked) return { issue: checked };
  return db.transaction(async (tx) => {
    const inserted = await tx.insert(workCalendarDays).values(checked).onConflictDoNothing().returning();
    if (inserted.length === 0) return { issue: { code: 'calendar.duplicate', value: checked.date } as const };
    await markYearEdited(tx, ctx, Number(checked.date.slice(0, 4)));
    await audit(tx, { actorId: ctx.actor.id, action: 'create', entity: 'work_calendar_day', entityId: checked.date, diff: { kind: checked.kind, name: checked.name }, ip: ctx.ip });
    return { day: checked };
  });
}

/** Removes one special day, audited; false when the date is not listed. */
export async function removeCalendarDay(db: Db, ctx: RequestContext, date: string): Promise<boolean> {
  if (!isDay(date)) return false;
  return db.transaction(async (tx) => {
    const [removed] = await tx.delete(workCalendarDays).where(eq(workCalendarDays.date, date)).returning();
    if (!removed) return false;
    await markYearEdited(tx, ctx, Number(date.slice(0, 4)));
    await audit(tx, { actorId: ctx.actor.id, action: 'delete', entity: 'work_calendar_day', entityId: date, diff: { kind: removed.kind, name: removed.name }, ip: ctx.ip });
    return true;
  });
}

async function markYearEdited(tx: Pick<Db, 'insert'>, ctx: RequestContext, year: number): Promise<void> {
  await tx
    .insert(workCalendarYears)
    .values({ year, source: 'panel', updatedBy: ctx.actor.id })
    .onConflictDoUpdate({ target: workCalendarYears.year, set: { source: 'panel', updatedBy: ctx.actor.id, updatedAt: sql`now()` } });
}

/** Absences that touch [fromDay, toDay], by cadre: what a sweep needs for the cadres it considers. */
export async function absencesByCadre(db: Db, cadreIds: number[], fromDay: string, toDay: string): Promise<Map<number, Absence[]>> {
  const byCadre = new Map<number, Absence[]>();
  if (cadreIds.length === 0) return byCadre;
  const rows = await db
    .select({ cadreId: cadreAbsences.cadreId, startsOn: cadreAbsences.startsOn, endsOn: cadreAbsences.endsOn })
    .from(cadreAbsences)
    .where(and(anyOf(cadreAbsences.cadreId, cadreIds, 'int'), lte(cadreAbsences.startsOn, toDay), gte(cadreAbsences.endsOn, fromDay)));
  for (const r of rows) {
    const list = byCadre.get(r.cadreId);
    if (list) list.push(r);
    else byCadre.set(r.cadreId, [r]);
  }
  return byCadre;
}

export const ABSENCE_KINDS = ['leave', 'training', 'secondment', 'other'] as const;

export interface AbsenceInput {
  cadreId: number;
  startsOn: string;
  endsOn: string;
  kind: (typeof ABSENCE_KINDS)[number];
  note?: string;
}

export type AbsenceIssue = { code: 'absence.day'; field: 'startsOn' | 'endsOn' } | { code: 'absence.order' } | { code: 'absence.tooLong' } | { code: 'absence.kind' } | { code: 'absence.note' };

export function absenceIssues(input: AbsenceInput): AbsenceIssue[] {
  const issues: AbsenceIssue[] = [];
  if (!isDay(input.startsOn)) issues.push({ code: 'absence.day', field: 'startsOn' });
  if (!isDay(input.endsOn)) issues.push({ code: 'absence.day', field: 'endsOn' });
  if (!ABSENCE_KINDS.includes(input.kind)) issues.push({ code: 'absence.kind' });
  if (input.note && (input.note.length > 200 || /[\u0000-\u001f\u007f]/.test(input.note))) issues.push({ code: 'absence.note' });
  if (issues.length === 0 && input.startsOn > input.endsOn) issues.push({ code: 'absence.order' });
  // A year away is a posting, not an absence; and a typo in the year should not pause nudges for a decade.
  if (issues.length === 0 && Date.parse(input.endsOn) - Date.parse(input.startsOn) > 366 * 86_400_000) issues.push({ code: 'absence.tooLong' });
  return issues;
}

async function cadreInScope(db: Db, scope: Scope, cadreId: number): Promise<boolean> {
  const [row] = await db.select({ unitId: cadres.unitId }).from(cadres).where(eq(cadres.id, cadreId));
  return !!row && inScope(scope, row.unitId);
}

/** Records an absence; null when the cadre is outside the actor's scope (reads as "not found"). */
export async function addAbsence(db: Db, ctx: RequestContext, input: AbsenceInput): Promise<{ id: number } | { issues: AbsenceIssue[] } | null> {
  if (!(await cadreInScope(db, ctx.scope, input.cadreId))) return null;
  const issues = absenceIssues(input);
  if (issues.length) return { issues };
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(cadreAbsences)
      .values({ cadreId: input.cadreId, startsOn: input.startsOn, endsOn: input.endsOn, kind: input.kind, note: input.note || null, createdBy: ctx.actor.id })
      .returning({ id: cadreAbsences.id });
    await audit(tx, { actorId: ctx.actor.id, action: 'create', entity: 'absence', entityId: row!.id, diff: { cadreId: input.cadreId, startsOn: input.startsOn, endsOn: input.endsOn, kind: input.kind }, ip: ctx.ip });
    return { id: row!.id };
  });
}

/** Removes an absence; false when it does not exist or its cadre is outside the actor's scope. */
export async function removeAbsence(db: Db, ctx: RequestContext, id: number): Promise<boolean> {
  const [row] = await db.select().from(cadreAbsences).where(eq(cadreAbsences.id, id));
  if (!row || !(await cadreInScope(db, ctx.scope, row.cadreId))) return false;
  await db.transaction(async (tx) => {
    await tx.delete(cadreAbsences).where(eq(cadreAbsences.id, id));
    await audit(tx, { actorId: ctx.actor.id, action: 'delete', entity: 'absence', entityId: id, diff: { cadreId: row.cadreId, startsOn: row.startsOn, endsOn: row.endsOn, kind: row.kind }, ip: ctx.ip });
  });
  return true;
}

/** A cadre's absences, latest first, each with who entered it; empty outside scope. */
export async function absencesOf(db: Db, scope: Scope, cadreId: number): Promise<Array<CadreAbsence & { createdByName: string | null }>> {
  if (!(await cadreInScope(db, scope, cadreId))) return [];
  const rows = await db
    .select({ absence: cadreAbsences, createdByName: panelUsers.displayName })
    .from(cadreAbsences)
    .leftJoin(panelUsers, eq(panelUsers.id, cadreAbsences.createdBy))
    .where(eq(cadreAbsences.cadreId, cadreId))
    .orderBy(sql`${cadreAbsences.startsOn} desc`, sql`${cadreAbsences.id} desc`);
  return rows.map((r) => ({ ...r.absence, createdByName: r.createdByName }));
}

/**
 * Proactive messages each recipient had in [dayStart, dayEnd): everything the outbox sent or
 * will send, except replies to what the person said and failed sends. Patches update a card in
 * place and do not count.
 */
export async function sentTodayCounts(db: Db, recipients: string[], dayStart: Date, dayEnd: Date): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (recipients.length === 0) return counts;
  const rows = await db
    .select({ recipient: outbox.recipient, n: sql<number>`count(*)::int` })
    .from(outbox)
    .where(
      and(
        anyOf(outbox.recipient, recipients, 'text'),
        eq(outbox.kind, 'send'),
        sql`${outbox.status} <> 'failed'`,
        notLike(outbox.purpose, 'reply%'),
        gte(outbox.createdAt, dayStart),
        lt(outbox.createdAt, dayEnd),
      ),
    )
    .groupBy(outbox.recipient);
  for (const r of rows) counts.set(r.recipient, r.n);
  return counts;
}
