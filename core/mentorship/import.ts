/**
 * @module
 * Importing pairs from a spreadsheet (.xlsx or .csv), all or nothing: every row is checked as
 * the form checks a pair (people by employee number, within the importer's scope), and one bad
 * row commits nothing; the answer names each bad row's line and field.
 */
import { inArray } from 'drizzle-orm';
import { cadres } from '../../db/schema/org.ts';
import type { Db } from '../../db/client.ts';
import type { RequestContext } from '../org/scope.ts';
import { TableError, tableFormatOf, type TableLimits } from '../table.ts';
import { readUploadedTable } from '../upload.ts';
import { audit } from '../audit.ts';
import { createPairIn } from './pairs.ts';

/** The columns, by their header in the template. */
export const IMPORT_COLUMNS = ['导师工号', '徒弟工号', '开始日期', '结束日期', '见面频率', '培养目标'] as const;
const LIMITS: TableLimits = { maxRows: 2000, maxColumns: 20, maxCellChars: 500 };
const CADENCE_WORDS: Record<string, string> = { 每周: 'weekly', 每两周: 'fortnightly', 每月: 'monthly', weekly: 'weekly', fortnightly: 'fortnightly', monthly: 'monthly' };

export interface ImportIssue {
  line: number;
  field: string;
  code: string;
}

export type ImportResult = { ok: true; created: number } | { ok: false; issues: ImportIssue[] } | { ok: false; fileError: TableError['code'] };

class Rollback extends Error {}

const split = (text: string) => text.split(/[、,，;；\s]+/).map((x) => x.trim()).filter(Boolean);

export async function importPairs(db: Db, ctx: RequestContext, file: { bytes: Uint8Array; name: string }, today: string): Promise<ImportResult> {
  const format = tableFormatOf(file.name);
  if (!format) return { ok: false, fileError: 'bad_file' };
  let table;
  try {
    table = await readUploadedTable(file.bytes, { format, limits: LIMITS, columns: IMPORT_COLUMNS }, { maxBytes: 5 * 1024 * 1024 });
  } catch (err) {
    if (err instanceof TableError) return { ok: false, fileError: err.code };
    throw err;
  }
  if (!IMPORT_COLUMNS.slice(0, 3).every((c) => table.header.includes(c))) return { ok: false, fileError: 'bad_file' };
  const rows = table.rows.filter((r) => r.cells.some((c) => c.trim() !== ''));
  const numbers = [...new Set(rows.flatMap((r) => [...split(r.cells[0] ?? ''), ...split(r.cells[1] ?? '')]))];
  const found = numbers.length ? await db.select({ id: cadres.id, no: cadres.employeeNo }).from(cadres).where(inArray(cadres.employeeNo, numbers)) : [];
  const idOf = new Map(found.map((f) => [f.no!, f.id]));
  const issues: ImportIssue[] = [];
  let created = 0;
  try {
    await db.transaction(async (tx) => {
      for (const { line, cells } of rows) {
        const people = (i: number, field: string) => {
          const ids = split(cells[i] ?? '').map((no) => idOf.get(no));
          if (ids.some((id) => id === undefined)) issues.push({ line, field, code: 'unknown_cadre' });
          return ids.filter((id): id is number => id !== undefined);
        };
        const mentorIds = people(0, 'mentorIds');
        const menteeIds = people(1, 'menteeIds');
        if (issues.some((x) => x.line === line)) continue;
        const input = {
          mentorIds,
          menteeIds,
          startsOn: (cells[2] ?? '').trim(),
          endsOn: (cells[3] ?? '').trim(),
          cadence: CADENCE_WORDS[(cells[4] ?? '').trim()] ?? ((cells[4] ?? '').trim() || 'monthly'),
          status: 'active',
          pauseReason: null,
          goals: (cells[5] ?? '').split(/[；;\n]+/).map((g) => g.trim()).filter(Boolean).map((title) => ({ title, status: 'open' })),
        };
        const result = await createPairIn(tx, ctx, input, today);
        if (result.ok) created++;
        else if ('errors' in result) for (const [field, code] of Object.entries(result.errors)) issues.push({ line, field, code });
        else issues.push({ line, field: 'form', code: 'forbidden' });
      }
      if (issues.length) throw new Rollback();
      await audit(tx, { actorId: ctx.actor.id, action: 'import', entity: 'mentorship_pair', diff: { rows: rows.length, created }, ip: ctx.ip });
    });
  } catch (err) {
    if (err instanceof Rollback) return { ok: false, issues };
    throw err;
  }
  return { ok: true, created };
}
