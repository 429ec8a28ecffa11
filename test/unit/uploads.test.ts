/**
 * Reading uploaded tables: encodings, caps, workbooks that would exhaust a naive reader, and
 * the worker thread that keeps a bad file away from the server's heap.
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { csvRows, decodeText, parseCsv } from '../../core/csv.ts';
import { TableError } from '../../core/table.ts';
import { parseTable, readUploadedTable } from '../../core/upload.ts';
import { xlsxRows } from '../../core/xlsx.ts';
import { gbk } from '../helpers/gbk.ts';
import { cell, sheetXlsx, xfdWorkbook } from '../helpers/xlsx.ts';

const limits = { maxRows: 100, maxColumns: 20, maxCellChars: 50 };

async function refusal(promise: Promise<unknown>): Promise<TableError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TableError);
  return error as TableError;
}

describe('decoding a CSV', () => {
  it('reads GBK, as Excel saves it on a Chinese Windows', () => {
    expect(Buffer.from(gbk('张三')).toString('hex')).toBe('d5c5c8fd');
    expect(decodeText(Uint8Array.from([0xd5, 0xc5, 0xc8, 0xfd]))).toBe('张三');
    expect(decodeText(gbk('姓名,单位\n张三,东山街道\n'))).toBe('姓名,单位\n张三,东山街道\n');
  });

  it('reads UTF-8 with and without a BOM', () => {
    const utf8 = new TextEncoder().encode('姓名\n张三\n');
    expect(decodeText(utf8)).toBe('姓名\n张三\n');
    expect(decodeText(Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8]))).toBe('姓名\n张三\n');
  });
});

describe('CSV caps', () => {
  it('keeps parseCsv as it was: every record, blank ones too', () => {
    expect(parseCsv('a,"b, c","d ""e"""\r\n\r\n1,2,3\n')).toEqual([['a', 'b, c', 'd "e"'], [''], ['1', '2', '3']]);
  });

  it('numbers records as in the file and leaves out blank ones and empty trailing columns', () => {
    const rows = csvRows(`h1,h2\n\n,\na,b${','.repeat(5000)}\n`, limits);
    expect(rows).toEqual([
      { line: 1, cells: ['h1', 'h2'] },
      { line: 4, cells: ['a', 'b', ...Array(18).fill('')] },
    ]);
  });

  it('stops at the first row over the cap, and at a filled cell over the column cap', () => {
    const many = ['h', ...Array.from({ length: 101 }, (_, i) => String(i))].join('\n');
    expect(() => csvRows(many, limits)).toThrow(expect.objectContaining({ code: 'too_many_rows', limit: 100 }));
    expect(csvRows(many.split('\n').slice(0, 101).join('\n'), limits)).toHaveLength(101);
    expect(() => csvRows(`h\n${','.repeat(20)}x\n`, limits)).toThrow(expect.objectContaining({ code: 'too_many_columns', limit: 20 }));
  });

  it('cuts long cells, so that the checks call them too long without holding them whole', () => {
    const [, row] = csvRows(`h\n${'职'.repeat(20_000)}\n`, limits);
    expect(row!.cells[0]).toHaveLength(50);
  });
});

describe('reading a workbook a row at a time', () => {
  it('reads what exceljs writes: text, numbers, dates, rich text, formulas', async () => {
    const book = new ExcelJS.Workbook();
    book.addWorksheet('名册').addRows([
      ['姓名', '出生日期', '手机号', '备注'],
      ['周新', new Date('1993-07-08T00:00:00Z'), 13700000001, { richText: [{ text: '优秀' }, { text: '年轻' }] }],
      [],
      ['李新', '1990-01-01', { formula: '1+1', result: 2 }],
    ]);
    book.addWorksheet('其他').addRow(['不读这一页']);
    const bytes = new Uint8Array((await book.xlsx.writeBuffer()) as ArrayBuffer);
    expect(await xlsxRows(bytes, limits)).toEqual([
      { line: 1, cells: ['姓名', '出生日期', '手机号', '备注'] },
      { line: 2, cells: ['周新', '1993-07-08', '13700000001', '优秀年轻'] },
      { line: 4, cells: ['李新', '1990-01-01', '2'] },
    ]);
  });

  it('refuses a small file whose rows touch column XFD at its first such row, without walking the columns', async () => {
    const bytes = xfdWorkbook(1500);
    expect(bytes.length).toBeLessThan(40_000);
    const started = Date.now();
    const error = await refusal(xlsxRows(bytes, limits));
    expect(error).toMatchObject({ code: 'too_many_columns', limit: 20 });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('ignores formatted but empty cells far to the right', async () => {
    const rows = [`<row r="1">${cell('A1', '姓名')}<c r="XFD1" s="0"/></row>`, `<row r="2">${cell('A2', '张三')}<c r="XFD2" s="0"/></row>`];
    expect(await xlsxRows(sheetXlsx(rows.join('')), limits)).toEqual([
      { line: 1, cells: ['姓名'] },
      { line: 2, cells: ['张三'] },
    ]);
  });

  it('stops at the row cap', async () => {
    const rows = Array.from({ length: 102 }, (_, i) => `<row r="${i + 1}">${cell(`A${i + 1}`, String(i))}</row>`);
    expect(await refusal(xlsxRows(sheetXlsx(rows.join('')), limits))).toMatchObject({ code: 'too_many_rows', limit: 100 });
  });

  it('refuses a part that inflates past its cap, and bytes that are no workbook', async () => {
    // 80 MiB of whitespace between two rows deflates to well under a megabyte.
    const bomb = sheetXlsx(Buffer.concat([Buffer.from(`<row r="1">${cell('A1', '姓名')}</row>`), Buffer.alloc(80 * 1024 * 1024, 0x20)]));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(await refusal(xlsxRows(bomb, limits))).toMatchObject({ code: 'bad_file' });
    expect(await refusal(xlsxRows(new TextEncoder().encode('not a zip at all, not even close'), limits))).toMatchObject({ code: 'bad_file' });
  });
});

describe('reading in a worker thread', () => {
  it('answers with the rows, the header found by its titles', async () => {
    const bytes = gbk('工号,姓名\nQH1,张三\n');
    const table = await readUploadedTable(bytes, { format: 'csv', limits, columns: ['姓名', '手机号'] }, { maxBytes: 1024 });
    expect(table).toEqual({ header: ['工号', '姓名'], rows: [{ line: 2, cells: ['张三', ''] }] });
    expect(await parseTable(bytes, { format: 'csv', limits, text: true })).toMatchObject({ text: '工号,姓名\nQH1,张三\n', rows: [] });
  });

  it('refuses the XFD workbook with the column cap, and reads the next file', async () => {
    expect(await refusal(readUploadedTable(xfdWorkbook(1500), { format: 'xlsx', limits }, { maxBytes: 1 << 20 }))).toMatchObject({ code: 'too_many_columns', limit: 20 });
    expect((await readUploadedTable(new TextEncoder().encode('a\nb\n'), { format: 'csv', limits }, { maxBytes: 1024 })).rows).toHaveLength(1);
  });

  it('refuses a file over the byte cap before reading it, and one that runs out of time', async () => {
    expect(await refusal(readUploadedTable(new Uint8Array(2048), { format: 'csv', limits }, { maxBytes: 1024 }))).toMatchObject({ code: 'too_large', limit: 1024 });
    const slow = await refusal(readUploadedTable(new TextEncoder().encode('a\nb\n'), { format: 'csv', limits }, { maxBytes: 1024, timeoutMs: 1 }));
    expect(slow).toMatchObject({ code: 'bad_file', reason: 'time limit' });
  });
});
