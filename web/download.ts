/**
 * @module
 * Answering with a spreadsheet: the .xlsx content type, a file name that survives Chinese
 * (RFC 6266 with RFC 5987's `filename*`, and a plain ASCII name for clients without it), and
 * no-store, because an export holds personnel data that must not linger in a shared cache.
 * @example return xlsxResponse(c, { name: `干部名册-${stamp}.xlsx`, fallback: `cadres-${stamp}.xlsx` }, book)
 */
import type { Context } from 'hono';
import type ExcelJS from 'exceljs';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A file name for people (any language) and one for clients that read only `filename`. */
export interface DownloadName {
  name: string;
  /** ASCII only; anything else in it is replaced. Defaults to `name` made ASCII. */
  fallback?: string;
}

/** RFC 5987's attr-char leaves out `'()*`, which encodeURIComponent keeps. */
const extValue = (s: string) => encodeURIComponent(s).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
const asciiName = (s: string) => s.replace(/[^\x20-\x7e]|["\\%;]/g, '_');

/** `attachment; filename="…"; filename*=UTF-8''…` for a download named in any language. */
export function attachment(file: DownloadName): string {
  return `attachment; filename="${asciiName(file.fallback ?? file.name)}"; filename*=UTF-8''${extValue(file.name)}`;
}

/** Sends a workbook (or its bytes, already written) as an .xlsx download. */
export async function xlsxResponse(c: Context, file: DownloadName, book: ExcelJS.Workbook | Uint8Array | ArrayBuffer): Promise<Response> {
  const bytes = book instanceof Uint8Array || book instanceof ArrayBuffer ? book : await book.xlsx.writeBuffer();
  c.header('Content-Type', XLSX_TYPE);
  c.header('Content-Disposition', attachment(file));
  c.header('Cache-Control', 'no-store');
  return c.body(new Uint8Array(bytes as ArrayBuffer));
}
