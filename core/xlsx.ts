/**
 * @module
 * Reading the first sheet of an uploaded .xlsx a row at a time, stopping at the caps.
 *
 * Loading a whole workbook (`Workbook.xlsx.load`) builds every cell up to the sheet's last
 * column, and exceljs's streaming reader, given the zip as a stream, spools every sheet that
 * comes before the shared strings (as Excel writes them) to a temporary file in full. So the zip
 * is opened here from its central directory: the parts are inflated as streams, each with a cap
 * on its inflated size, in the order the sheet needs them (relationships, workbook, shared
 * strings, styles, then the sheet), and exceljs's own part readers parse them. Those readers
 * are internal to exceljs 4 (`_parseRels`, `_parseWorkbook`, `_parseSharedStrings`,
 * `_parseStyles`, `_parseWorksheet`); the tests read real exceljs and hand-written files.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import ExcelJS from 'exceljs';
import { RowCounter, TableError, type TableLimits, type TableRow } from './table.ts';

/** Inflated size caps: a small zip may inflate a thousandfold. */
const MAX_PART_BYTES = 64 * 1024 * 1024;
const MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024;
const MAX_ENTRIES = 10_000;

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

/** The zip's table of contents, read from its central directory (no ZIP64: these files are small). */
function zipEntries(buf: Buffer): Map<string, ZipEntry> {
  const bad = () => new TableError('bad_file');
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad();
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  if (count > MAX_ENTRIES) throw bad();
  const entries = new Map<string, ZipEntry>();
  for (let n = 0; n < count; n++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== 0x02014b50) throw bad();
    const nameLength = buf.readUInt16LE(at + 28);
    const entry: ZipEntry = {
      flags: buf.readUInt16LE(at + 8),
      method: buf.readUInt16LE(at + 10),
      compressedSize: buf.readUInt32LE(at + 20),
      uncompressedSize: buf.readUInt32LE(at + 24),
      localOffset: buf.readUInt32LE(at + 42),
      name: buf.toString('utf8', at + 46, at + 46 + nameLength),
    };
    entries.set(entry.name.replace(/^\/+/, ''), entry);
    at += 46 + nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return entries;
}

/** Fails the stream once more than `max` bytes have passed. */
function capped(max: number): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      total += chunk.length;
      if (total > max) done(new TableError('bad_file'));
      else done(null, chunk);
    },
  });
}

/** A part's inflated bytes as a stream, or null when the zip has no such part. */
function partStream(buf: Buffer, entries: Map<string, ZipEntry>, name: string, max = MAX_PART_BYTES): Readable | null {
  const entry = entries.get(name);
  if (!entry) return null;
  // Encrypted, or a size that needs ZIP64.
  if (entry.flags & 1 || entry.compressedSize === 0xffffffff || entry.localOffset === 0xffffffff) throw new TableError('bad_file');
  const at = entry.localOffset;
  if (at + 30 > buf.length || buf.readUInt32LE(at) !== 0x04034b50) throw new TableError('bad_file');
  const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > buf.length) throw new TableError('bad_file');
  const raw = Readable.from([buf.subarray(start, end)], { objectMode: false });
  const limit = capped(max);
  if (entry.method === 0) return raw.pipe(limit);
  if (entry.method !== 8) throw new TableError('bad_file');
  const inflate = createInflateRaw();
  inflate.on('error', (error) => limit.destroy(error));
  return raw.pipe(inflate).pipe(limit);
}

interface Relationship {
  Id: string;
  Target: string;
  Type?: string;
}

/** The exceljs internals used here (see the module note). */
interface PartReader {
  workbookRels?: Relationship[];
  model?: { sheets?: Array<{ id: number; name: string; rId: string }> };
  _parseRels(stream: Readable): Promise<void>;
  _parseWorkbook(stream: Readable): Promise<void>;
  _parseSharedStrings(stream: Readable): AsyncGenerator<unknown>;
  _parseStyles(stream: Readable): Promise<void>;
  _parseWorksheet(stream: Readable, sheetNo: string): Generator<{ eventType: string; value: AsyncIterable<ExcelJS.Row> }>;
}

/** xl/workbook.xml's relationship targets are relative to xl/, or absolute from the root. */
function partName(target: string): string {
  return target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
}

function cellText(value: ExcelJS.CellValue): string {
  if (value == null) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value && Array.isArray(value.richText)) return value.richText.map((r) => r.text ?? '').join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    return '';
  }
  return String(value);
}

/**
 * The non-blank rows of the workbook's first sheet, each cell as text (dates as YYYY-MM-DD).
 * Stops with a `TableError` at the first row over the row cap or the first filled cell over
 * the column cap; anything unreadable is `bad_file`.
 */
export async function xlsxRows(bytes: Uint8Array, limits: TableLimits): Promise<TableRow[]> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const streams: Readable[] = [];
  try {
    const entries = zipEntries(buf);
    const open = (name: string, max?: number) => {
      const s = partStream(buf, entries, name, max);
      if (s) streams.push(s);
      return s;
    };
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([]), {
      sharedStrings: 'cache',
      styles: 'cache',
      hyperlinks: 'ignore',
      worksheets: 'emit',
      entries: 'ignore',
    }) as unknown as PartReader;
    const rels = open('xl/_rels/workbook.xml.rels');
    const book = open('xl/workbook.xml');
    if (!rels || !book) throw new TableError('bad_file');
    await reader._parseRels(rels);
    await reader._parseWorkbook(book);
    const relOf = (type: string) => reader.workbookRels?.find((r) => r.Type?.endsWith(`/${type}`));
    const shared = open(partName(relOf('sharedStrings')?.Target ?? 'sharedStrings.xml'), MAX_SHARED_STRINGS_BYTES);
    if (shared) for await (const _ of reader._parseSharedStrings(shared));
    const styles = open(partName(relOf('styles')?.Target ?? 'styles.xml'));
    if (styles) await reader._parseStyles(styles);

    const first = reader.model?.sheets?.[0];
    const target = first && reader.workbookRels?.find((r) => r.Id === first.rId)?.Target;
    if (!target) throw new TableError('bad_file');
    const name = partName(target);
    const sheetNo = name.match(/sheet(\d+)\.xml$/)?.[1] ?? '1';
    const sheet = open(name);
    if (!sheet) throw new TableError('bad_file');
    const [emitted] = [...reader._parseWorksheet(sheet, sheetNo)];
    if (!emitted) throw new TableError('bad_file');

    const counter = new RowCounter(limits);
    const rows: TableRow[] = [];
    let previous = 0;
    for await (const row of emitted.value) {
      const line = Number.isInteger(row.number) && row.number > previous ? row.number : previous + 1;
      previous = line;
      const cells: string[] = [];
      let filled = false;
      row.eachCell((cell, column) => {
        const text = cellText(cell.value);
        if (text.trim() === '') return;
        counter.column(column);
        cells[column - 1] = counter.cut(text);
        filled = true;
      });
      if (!filled) continue;
      counter.row();
      rows.push({ line, cells: Array.from(cells, (c) => c ?? '') });
    }
    return rows;
  } catch (error) {
    if (error instanceof TableError) throw error;
    throw new TableError('bad_file');
  } finally {
    for (const s of streams) s.destroy();
  }
}
