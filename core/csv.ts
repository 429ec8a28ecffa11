/**
 * @module
 * Reading CSV files that people upload: rosters and scanners' paper ballots. Excel on a
 * Chinese Windows saves "CSV" in GBK, elsewhere in UTF-8 with or without a BOM; both are read.
 */
import { RowCounter, type TableLimits, type TableRow } from './table.ts';

/**
 * The text of an uploaded file: UTF-8 (a BOM is dropped) when the bytes are valid UTF-8,
 * UTF-16 when they start with its BOM, and otherwise GB18030 (a superset of GBK and GB2312).
 * @example decodeText(Uint8Array.from([0xd5, 0xc5, 0xc8, 0xfd])) // '张三'
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/**
 * RFC 4180: quoted fields, doubled quotes, CRLF or LF, an optional BOM. Each record goes to
 * `record` as it ends. With a counter, fields right of its column cap are dropped when empty and
 * refuse the file when not.
 */
function scanCsv(text: string, record: (cells: string[]) => void, counter?: RowCounter, maxColumns = Infinity): void {
  let row: string[] = [];
  let column = 0;
  let field = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  const endField = () => {
    column++;
    if (column <= maxColumns) row.push(counter ? counter.cut(field) : field);
    else if (field.trim() !== '') counter?.column(column);
    field = '';
  };
  const endRecord = () => {
    endField();
    record(row);
    row = [];
    column = 0;
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      endRecord();
    } else field += ch;
  }
  if (field !== '' || row.length > 0 || column > 0) endRecord();
}

/** Every record of a CSV text, blank ones included. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  scanCsv(text, (cells) => rows.push(cells));
  return rows;
}

/**
 * The non-blank records of a CSV text, numbered from 1 as in the file; stops with a
 * `TableError` at the first record over the row cap or the first filled cell over the column cap.
 */
export function csvRows(text: string, limits: TableLimits): TableRow[] {
  const counter = new RowCounter(limits);
  const rows: TableRow[] = [];
  let line = 0;
  scanCsv(
    text,
    (cells) => {
      line++;
      if (cells.every((c) => c.trim() === '')) return;
      counter.row();
      rows.push({ line, cells });
    },
    counter,
    limits.maxColumns,
  );
  return rows;
}
