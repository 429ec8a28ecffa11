/**
 * @module
 * What every reader of an uploaded table (a roster, a scanner's paper ballots) shares: its
 * rows, its caps, and the one error it throws. The readers themselves are `csv.ts` and
 * `xlsx.ts`; `upload.ts` runs them where a bad file cannot hurt the server.
 */

/** A non-blank row of the file; `line` is its row (xlsx) or record (csv) number, from 1. */
export interface TableRow {
  line: number;
  cells: string[];
}

export interface TableLimits {
  /** Non-blank rows after the first (the header). */
  maxRows: number;
  /** A non-empty cell right of this column refuses the file; empty ones are ignored. */
  maxColumns: number;
  /** Longer cells are cut to this many characters (checks then call them too long). */
  maxCellChars?: number;
}

export type TableFormat = 'csv' | 'xlsx';

export type TableErrorCode = 'bad_file' | 'too_large' | 'too_many_rows' | 'too_many_columns';

/**
 * Why a file was refused; `limit` is the cap it went over (bytes, rows or columns), `reason`
 * says for the log why a file could not be read (a time or memory limit), never what it held.
 */
export class TableError extends Error {
  readonly code: TableErrorCode;
  readonly limit: number | undefined;
  readonly reason: string | undefined;
  constructor(code: TableErrorCode, limit?: number, reason?: string) {
    super([code, limit, reason].filter((x) => x != null).join(' '));
    this.name = 'TableError';
    this.code = code;
    this.limit = limit;
    this.reason = reason;
  }
}

/** The format a file name says, or null for anything else. */
export function tableFormatOf(filename: string): TableFormat | null {
  if (/\.csv$/i.test(filename)) return 'csv';
  if (/\.xlsx$/i.test(filename)) return 'xlsx';
  return null;
}

/** Counts rows against the caps as a reader finds them, so a reader can stop at the first one too many. */
export class RowCounter {
  private seen = 0;
  constructor(private readonly limits: TableLimits) {}

  /** A non-blank row was read; throws once there are more than the header and `maxRows`. */
  row(): void {
    this.seen++;
    if (this.seen > this.limits.maxRows + 1) throw new TableError('too_many_rows', this.limits.maxRows);
  }

  /** A cell in column `column` (from 1) holds something. */
  column(column: number): void {
    if (column > this.limits.maxColumns) throw new TableError('too_many_columns', this.limits.maxColumns);
  }

  cut(text: string): string {
    const max = this.limits.maxCellChars;
    return max != null && text.length > max ? text.slice(0, max) : text;
  }
}
