/**
 * @module
 * Reading a scanner's paper-ballot CSV the safe way: through the upload reader's worker
 * (`core/upload.ts`), with a size cap and row and column caps, in UTF-8 or GBK. What the rows
 * mean, and whether they may be counted, is `paper.ts`'s business; this only hands it the text.
 */
import { readUploadedTable } from '../upload.ts';

export const PAPER_MAX_BYTES = 2 * 1024 * 1024;
/** One row per ballot sheet per target: 20,000 is a few hundred sheets for dozens of targets. */
export const PAPER_MAX_ROWS = 20_000;
/** 问卷编号, 类别, 被评价人编号, the items, 总体评价, 意见建议. */
export const PAPER_MAX_COLUMNS = 100;

/**
 * The decoded text of a paper-ballot file; throws a `TableError` for a file past the caps or
 * one that cannot be read.
 */
export async function readPaperFile(bytes: Uint8Array): Promise<string> {
  const table = await readUploadedTable(
    bytes,
    { format: 'csv', limits: { maxRows: PAPER_MAX_ROWS, maxColumns: PAPER_MAX_COLUMNS }, text: true },
    { maxBytes: PAPER_MAX_BYTES },
  );
  return table.text ?? '';
}
