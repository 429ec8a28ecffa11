/**
 * @module
 * Roster import (名册导入): read an .xlsx or .csv in the template's columns, check every row,
 * then commit all rows in one transaction or none. A row whose mobile or employee number
 * matches an existing cadre updates that cadre; the others create cadres.
 */
import ExcelJS from 'exceljs';
import { eq, inArray, or } from 'drizzle-orm';
import { cadres, units, type NewCadre } from '../db/schema/org.ts';
import { auditLog } from '../db/schema/audit.ts';
import type { Db } from '../db/client.ts';
import { inScope, type RequestContext, type Scope } from './org/scope.ts';
import { cadreInputSchema } from './org/cadres.ts';
import { audit, diffOf } from './audit.ts';
import { TableError, tableFormatOf, type TableLimits } from './table.ts';
import { readUploadedTable } from './upload.ts';

/** The template's columns, in order: header text → field. */
export const ROSTER_COLUMNS = [
  ['姓名', 'name'],
  ['性别', 'gender'],
  ['出生日期', 'birthDate'],
  ['单位', 'unit'],
  ['职务', 'position'],
  ['职级', 'rank'],
  ['班子成员', 'isLeader'],
  ['主要领导', 'isPrincipal'],
  ['学历', 'education'],
  ['专业领域', 'field'],
  ['标签', 'tags'],
  ['中共党员', 'isPartyMember'],
  ['工号', 'employeeNo'],
  ['手机号', 'mobile'],
  ['状态', 'status'],
] as const;
export type RosterField = (typeof ROSTER_COLUMNS)[number][1];
export type RosterValues = Partial<Record<RosterField, string>>;

export const ROSTER_MAX_ROWS = 5000;
/** The template has 15; other columns are ignored, up to this many. */
export const ROSTER_MAX_COLUMNS = 50;
export const ROSTER_MAX_BYTES = 5 * 1024 * 1024;
/** Longer cells are cut when read; every field's own limit is far below, so they are still refused as too long. */
const ROSTER_MAX_CELL = 500;
const ROSTER_LIMITS: TableLimits = { maxRows: ROSTER_MAX_ROWS, maxColumns: ROSTER_MAX_COLUMNS, maxCellChars: ROSTER_MAX_CELL };

export interface RosterRow {
  /** The line in the file (the header is line 1). */
  line: number;
  values: RosterValues;
}

/**
 * Reads the file into rows keyed by field, in a worker thread that stops at the caps (see
 * `upload.ts`). Columns are found by their header, so their order may differ from the
 * template; unknown columns are ignored. Throws a `TableError` for a file it refuses.
 */
export async function readRoster(bytes: Uint8Array, filename: string): Promise<RosterRow[]> {
  const format = tableFormatOf(filename);
  if (!format) throw new TableError('bad_file');
  const titles = ROSTER_COLUMNS.map(([title]) => title);
  const table = await readUploadedTable(bytes, { format, limits: ROSTER_LIMITS, columns: titles }, { maxBytes: ROSTER_MAX_BYTES });
  if (!table.header.includes('姓名')) throw new TableError('bad_file');
  const present = ROSTER_COLUMNS.map(([title]) => table.header.includes(title));
  const rows: RosterRow[] = [];
  for (const { line, cells } of table.rows) {
    const values: RosterValues = {};
    ROSTER_COLUMNS.forEach(([, field], i) => {
      if (present[i]) values[field] = (cells[i] ?? '').trim();
    });
    if (Object.values(values).every((v) => v === '')) continue;
    rows.push({ line, values });
  }
  return rows;
}

export interface CheckedRow extends RosterRow {
  /**
   * Problem codes; the panel translates them. A code may carry parameters after colons:
   * `too_long:<field>:<max>`, `invalid:<field>`, `too_many_tags:<max>`.
   */
  problems: string[];
  action: 'create' | 'update';
  existingId?: number;
  cadre?: Omit<NewCadre, 'id'>;
  /** For `ambiguous_unit`: the full paths of the units (within scope) that the name could mean. */
  unitChoices?: string[];
}

const YES = new Set(['是', 'y', 'yes', '1', 'true', '√']);
const STATUS: Record<string, NewCadre['status']> = { 在岗: 'active', 挂职: 'seconded', 休假: 'on_leave', 退休: 'retired', 调离: 'departed', active: 'active', seconded: 'seconded', on_leave: 'on_leave', retired: 'retired', departed: 'departed' };

function validDate(v: string): string | null {
  const m = v.replace(/[./年月]/g, '-').replace(/日$/, '').match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) return null;
  const year = Number(m[1]);
  return year >= 1930 && year <= 2015 ? iso : null;
}

type Reader = Pick<Db, 'select'>;

/** The separator of a unit's path in the 单位 column: 青禾区/东山街道/党建办. */
export const UNIT_PATH_SEPARATOR = '/';
const MAX_UNIT_CHOICES = 10;

type UnitMatch = { kind: 'unit'; id: number } | { kind: 'unknown' } | { kind: 'outside' } | { kind: 'ambiguous'; choices: string[] };

/**
 * Finds the unit a roster row names: by its name when that is unique, otherwise by its path
 * (青禾区/东山街道/党建办, or any tail of it such as 东山街道/党建办). Units outside the
 * actor's scope are never offered as choices; when the name fits exactly one unit within
 * scope, that one is meant.
 */
export function unitMatcher(all: Array<{ id: number; name: string; parentId: number | null }>, scope: Scope): (text: string) => UnitMatch {
  const byId = new Map(all.map((u) => [u.id, u]));
  const pathOf = (id: number): string[] => {
    const parts: string[] = [];
    const seen = new Set<number>();
    for (let u = byId.get(id); u && !seen.has(u.id); u = u.parentId == null ? undefined : byId.get(u.parentId)) {
      seen.add(u.id);
      parts.unshift(u.name);
    }
    return parts;
  };
  const byName = new Map<string, Array<{ id: number; path: string[] }>>();
  for (const u of all) byName.set(u.name, [...(byName.get(u.name) ?? []), { id: u.id, path: pathOf(u.id) }]);
  return (text) => {
    const whole = text.trim();
    let candidates = byName.get(whole) ?? [];
    if (candidates.length === 0) {
      const parts = whole.split(/[/／]/).map((p) => p.trim()).filter(Boolean);
      const last = parts.at(-1);
      if (parts.length > 1 && last)
        candidates = (byName.get(last) ?? []).filter((c) => c.path.length >= parts.length && parts.every((p, i) => c.path[c.path.length - parts.length + i] === p));
    }
    if (candidates.length === 0) return { kind: 'unknown' };
    const visible = candidates.filter((c) => inScope(scope, c.id));
    if (visible.length === 0) return { kind: 'outside' };
    if (visible.length === 1) return { kind: 'unit', id: visible[0]!.id };
    const choices = visible.map((c) => c.path.join(UNIT_PATH_SEPARATOR)).sort();
    return { kind: 'ambiguous', choices: choices.slice(0, MAX_UNIT_CHOICES) };
  };
}

/** Which roster problem already covers a field of the edit form, so that it is not reported twice. */
const COVERED: Record<string, string> = {
  missing_name: 'name',
  bad_gender: 'gender',
  bad_date: 'birthDate',
  missing_position: 'position',
  missing_rank: 'rank',
  bad_status: 'status',
  bad_mobile: 'mobile',
};

/**
 * Checks every row against the file itself and the database, within the actor's scope, with
 * the cadre edit form's own rules (`cadreInputSchema`) for every field. A row that touches
 * anything outside the scope (its unit, or a cadre elsewhere with its mobile or employee
 * number) gets the one problem `not_importable`, whatever else is true of it, so that the
 * preview says nothing about what exists elsewhere.
 */
export async function checkRoster(db: Reader, ctx: RequestContext, rows: RosterRow[]): Promise<CheckedRow[]> {
  const unitRows = await db.select({ id: units.id, name: units.name, parentId: units.parentId }).from(units);
  const matchUnit = unitMatcher(unitRows, ctx.scope);
  const mobiles = rows.map((r) => r.values.mobile).filter((m): m is string => !!m);
  const employeeNos = rows.map((r) => r.values.employeeNo).filter((m): m is string => !!m);
  const existing =
    mobiles.length + employeeNos.length === 0
      ? []
      : await db
          .select({ id: cadres.id, unitId: cadres.unitId, mobile: cadres.mobile, employeeNo: cadres.employeeNo })
          .from(cadres)
          .where(or(mobiles.length ? inArray(cadres.mobile, mobiles) : undefined, employeeNos.length ? inArray(cadres.employeeNo, employeeNos) : undefined));
  const byMobile = new Map(existing.filter((e) => e.mobile).map((e) => [e.mobile!, e]));
  const byEmployeeNo = new Map(existing.filter((e) => e.employeeNo).map((e) => [e.employeeNo!, e]));
  const seenMobile = new Map<string, number>();
  for (const r of rows) if (r.values.mobile) seenMobile.set(r.values.mobile, (seenMobile.get(r.values.mobile) ?? 0) + 1);

  return rows.map((row): CheckedRow => {
    const v = row.values;
    const unit = v.unit ? matchUnit(v.unit) : ({ kind: 'unknown' } as const);
    const employeeOwner = v.employeeNo ? byEmployeeNo.get(v.employeeNo) : undefined;
    const mobileOwner = v.mobile ? byMobile.get(v.mobile) : undefined;
    const match = employeeOwner ?? mobileOwner;
    const elsewhere = [employeeOwner, mobileOwner].some((owner) => owner && !inScope(ctx.scope, owner.unitId));
    if (unit.kind === 'outside' || elsewhere) return { ...row, problems: ['not_importable'], action: 'create' };

    const problems: string[] = [];
    if (!v.name) problems.push('missing_name');
    const gender: 'male' | 'female' | null = v.gender === '男' ? 'male' : v.gender === '女' ? 'female' : null;
    if (!gender) problems.push('bad_gender');
    const birthDate = v.birthDate ? validDate(v.birthDate) : null;
    if (!birthDate) problems.push('bad_date');
    const unitId = unit.kind === 'unit' ? unit.id : null;
    if (unit.kind === 'unknown') problems.push('unknown_unit');
    if (unit.kind === 'ambiguous') problems.push('ambiguous_unit');
    if (!v.position) problems.push('missing_position');
    if (!v.rank) problems.push('missing_rank');
    const status = v.status ? STATUS[v.status] : 'active';
    if (!status) problems.push('bad_status');
    if (v.mobile && !/^1\d{10}$/.test(v.mobile)) problems.push('bad_mobile');
    if (v.mobile && (seenMobile.get(v.mobile) ?? 0) > 1) problems.push('duplicate_in_file');
    if (mobileOwner && match && mobileOwner.id !== match.id) problems.push('duplicate_mobile');

    const isPrincipal = YES.has((v.isPrincipal ?? '').toLowerCase());
    const parsed = cadreInputSchema.safeParse({
      name: v.name ?? '',
      gender: gender ?? 'male',
      birthDate: birthDate ?? '2000-01-01',
      unitId: unitId ?? 1,
      position: v.position ?? '',
      rank: v.rank ?? '',
      isLeader: isPrincipal || YES.has((v.isLeader ?? '').toLowerCase()),
      isPrincipal,
      education: v.education ?? '',
      field: v.field ?? '',
      tags: (v.tags ?? '').split(/[,，、;；\s]+/).map((x) => x.trim()).filter(Boolean),
      isPartyMember: v.isPartyMember === undefined || v.isPartyMember === '' ? true : YES.has(v.isPartyMember.toLowerCase()),
      employeeNo: v.employeeNo ?? '',
      mobile: v.mobile ?? '',
      status: status ?? 'active',
    });
    if (!parsed.success) {
      const covered = new Set(problems.map((p) => COVERED[p]));
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0]);
        const max = issue.code === 'too_big' ? Number(issue.maximum) : undefined;
        if (field === 'unitId') continue;
        if (field === 'tags') problems.push(issue.path.length > 1 ? `too_long:tags:${max ?? ''}` : `too_many_tags:${max ?? ''}`);
        else if (issue.message === 'too_long') problems.push(`too_long:${field}:${max ?? ''}`);
        else if (!covered.has(field)) problems.push(`invalid:${field}`);
      }
    }
    const cadre = problems.length === 0 && parsed.success ? { ...parsed.data, unitId: unitId! } : undefined;
    return {
      ...row,
      problems: [...new Set(problems)],
      action: match ? 'update' : 'create',
      existingId: match?.id,
      cadre,
      ...(unit.kind === 'ambiguous' ? { unitChoices: unit.choices } : {}),
    };
  });
}

/** What a preview records: how many rows, how many with problems, how many would be created or updated; no names, no numbers. */
function previewCounts(rows: CheckedRow[]) {
  const good = rows.filter((r) => r.problems.length === 0);
  return { rows: rows.length, problems: rows.length - good.length, create: good.filter((r) => r.action === 'create').length, update: good.filter((r) => r.action === 'update').length };
}

export type PreviewResult = { ok: true; rows: CheckedRow[] } | { ok: false; error: TableError };

/**
 * An upload's preview: reads the file (refusing it with a `TableError` past the caps), checks
 * every row, and writes one audit row with the counts, or with why the file was refused.
 */
export async function previewRoster(db: Db, ctx: RequestContext, file: { bytes: Uint8Array; name: string }): Promise<PreviewResult> {
  let rows: RosterRow[];
  try {
    rows = await readRoster(file.bytes, file.name);
  } catch (error) {
    if (!(error instanceof TableError)) throw error;
    await audit(db, { actorId: ctx.actor.id, action: 'preview', entity: 'roster', diff: { refused: error.code }, ip: ctx.ip });
    return { ok: false, error };
  }
  const checked = await checkRoster(db, ctx, rows);
  await audit(db, { actorId: ctx.actor.id, action: 'preview', entity: 'roster', diff: previewCounts(checked), ip: ctx.ip });
  return { ok: true, rows: checked };
}

export type CommitResult = { ok: true; created: number; updated: number } | { ok: false; rows: CheckedRow[] };

/**
 * Commits the rows in one transaction, re-checking them inside it: if any row has a problem
 * (or the database refuses one), nothing is written.
 */
export async function commitRoster(db: Db, ctx: RequestContext, rows: RosterRow[]): Promise<CommitResult> {
  return db.transaction(async (tx) => {
    const checked = await checkRoster(tx, ctx, rows);
    if (checked.length === 0 || checked.some((r) => r.problems.length > 0)) return { ok: false, rows: checked } as const;
    let created = 0;
    let updated = 0;
    const entries: Array<typeof auditLog.$inferInsert> = [];
    for (const row of checked) {
      if (row.existingId) {
        const [before] = await tx.select().from(cadres).where(eq(cadres.id, row.existingId)).for('update');
        const diff = diffOf(before!, row.cadre!);
        if (Object.keys(diff).length === 0) continue;
        await tx.update(cadres).set({ ...row.cadre!, updatedAt: new Date() }).where(eq(cadres.id, row.existingId));
        entries.push({ actorId: ctx.actor.id, action: 'update', entity: 'cadre', entityId: String(row.existingId), diff, ip: ctx.ip });
        updated++;
      } else {
        const [inserted] = await tx.insert(cadres).values(row.cadre!).returning({ id: cadres.id });
        entries.push({ actorId: ctx.actor.id, action: 'create', entity: 'cadre', entityId: String(inserted!.id), diff: { source: 'roster', line: row.line }, ip: ctx.ip });
        created++;
      }
    }
    for (let i = 0; i < entries.length; i += 500) await tx.insert(auditLog).values(entries.slice(i, i + 500));
    await audit(tx, { actorId: ctx.actor.id, action: 'import', entity: 'roster', diff: { rows: checked.length, created, updated }, ip: ctx.ip });
    return { ok: true, created, updated } as const;
  });
}

/** The downloadable template: the header row and one example row. */
export async function rosterTemplate(): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('名册');
  sheet.addRow(ROSTER_COLUMNS.map(([title]) => title));
  sheet.addRow(['张三', '男', '1990-05-20', '东山街道', '党建办干事', '一级科员', '否', '否', '大学本科', '党建', '优秀年轻干部', '是', 'QH90001', '13900000000', '在岗']);
  sheet.getRow(1).font = { bold: true };
  sheet.columns.forEach((col) => (col.width = 14));
  return new Uint8Array((await book.xlsx.writeBuffer()) as ArrayBuffer);
}
