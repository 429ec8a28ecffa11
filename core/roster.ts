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
import { inScope, type RequestContext } from './org.ts';
import { audit, diffOf } from './audit.ts';
import { parseCsv } from './csv.ts';

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

export interface RosterRow {
  /** The line in the file (the header is line 1). */
  line: number;
  values: RosterValues;
}

export class RosterFileError extends Error {
  constructor(readonly code: 'bad_file' | 'too_many') {
    super(code);
    this.name = 'RosterFileError';
  }
}

function cellText(value: ExcelJS.CellValue): string {
  if (value == null) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    return '';
  }
  return String(value);
}

/**
 * Reads the file into rows keyed by field. Columns are found by their header, so their order
 * may differ from the template; unknown columns are ignored.
 */
export async function readRoster(bytes: Uint8Array, filename: string): Promise<RosterRow[]> {
  let table: string[][];
  try {
    if (/\.csv$/i.test(filename)) {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
      table = parseCsv(text);
    } else if (/\.xlsx$/i.test(filename)) {
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(bytes as unknown as ArrayBuffer);
      const sheet = book.worksheets[0];
      if (!sheet) throw new RosterFileError('bad_file');
      table = [];
      sheet.eachRow({ includeEmpty: true }, (row, number) => {
        const cells: string[] = [];
        for (let col = 1; col <= Math.max(row.cellCount, ROSTER_COLUMNS.length); col++) cells.push(cellText(row.getCell(col).value));
        table[number - 1] = cells;
      });
      table = Array.from(table, (r) => r ?? []);
    } else throw new RosterFileError('bad_file');
  } catch (error) {
    if (error instanceof RosterFileError) throw error;
    throw new RosterFileError('bad_file');
  }
  const header = (table[0] ?? []).map((h) => h.trim());
  const index = new Map<RosterField, number>();
  for (const [title, field] of ROSTER_COLUMNS) {
    const at = header.indexOf(title);
    if (at >= 0) index.set(field, at);
  }
  if (!index.has('name')) throw new RosterFileError('bad_file');
  const rows: RosterRow[] = [];
  for (let i = 1; i < table.length; i++) {
    const cells = table[i]!;
    if (cells.every((c) => c.trim() === '')) continue;
    const values: RosterValues = {};
    for (const [field, at] of index) values[field] = (cells[at] ?? '').trim();
    rows.push({ line: i + 1, values });
  }
  if (rows.length > ROSTER_MAX_ROWS) throw new RosterFileError('too_many');
  return rows;
}

export interface CheckedRow extends RosterRow {
  /** Problem codes; the panel translates them. */
  problems: string[];
  action: 'create' | 'update';
  existingId?: number;
  cadre?: Omit<NewCadre, 'id'>;
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

/** Checks every row against the file itself and the database, within the actor's scope. */
export async function checkRoster(db: Reader, ctx: RequestContext, rows: RosterRow[]): Promise<CheckedRow[]> {
  const unitRows = await db.select({ id: units.id, name: units.name }).from(units);
  const unitByName = new Map<string, number[]>();
  for (const u of unitRows) unitByName.set(u.name, [...(unitByName.get(u.name) ?? []), u.id]);
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
    const problems: string[] = [];
    if (!v.name) problems.push('missing_name');
    else if (v.name.length > 30) problems.push('too_long');
    const gender: 'male' | 'female' | null = v.gender === '男' ? 'male' : v.gender === '女' ? 'female' : null;
    if (!gender) problems.push('bad_gender');
    const birthDate = v.birthDate ? validDate(v.birthDate) : null;
    if (!birthDate) problems.push('bad_date');
    const unitIds = v.unit ? unitByName.get(v.unit) ?? [] : [];
    const unitId = unitIds.length === 1 ? unitIds[0]! : null;
    if (unitId == null) problems.push('unknown_unit');
    else if (!inScope(ctx.scope, unitId)) problems.push('out_of_scope');
    if (!v.position) problems.push('missing_position');
    if (!v.rank) problems.push('missing_rank');
    const status = v.status ? STATUS[v.status] : 'active';
    if (!status) problems.push('bad_status');
    if (v.mobile && !/^1\d{10}$/.test(v.mobile)) problems.push('bad_mobile');
    if (v.mobile && (seenMobile.get(v.mobile) ?? 0) > 1) problems.push('duplicate_in_file');
    const match = (v.employeeNo && byEmployeeNo.get(v.employeeNo)) || (v.mobile && byMobile.get(v.mobile)) || undefined;
    if (match && !inScope(ctx.scope, match.unitId)) problems.push('out_of_scope');
    const mobileOwner = v.mobile ? byMobile.get(v.mobile) : undefined;
    if (mobileOwner && match && mobileOwner.id !== match.id) problems.push('duplicate_mobile');
    const isPrincipal = YES.has((v.isPrincipal ?? '').toLowerCase());
    const cadre =
      problems.length === 0
        ? {
            name: v.name!,
            gender: gender!,
            birthDate: birthDate!,
            unitId: unitId!,
            position: v.position!,
            rank: v.rank!,
            isPrincipal,
            isLeader: isPrincipal || YES.has((v.isLeader ?? '').toLowerCase()),
            education: v.education || null,
            field: v.field || null,
            tags: (v.tags ?? '').split(/[,，、;；\s]+/).map((x) => x.trim()).filter(Boolean),
            isPartyMember: v.isPartyMember === undefined || v.isPartyMember === '' ? true : YES.has(v.isPartyMember.toLowerCase()),
            employeeNo: v.employeeNo || null,
            mobile: v.mobile || null,
            status: status!,
          }
        : undefined;
    return { ...row, problems: [...new Set(problems)], action: match ? 'update' : 'create', existingId: match?.id, cadre };
  });
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
