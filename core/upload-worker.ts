/**
 * @module
 * The worker thread that reads one uploaded table (started by `readUploadedTable` through
 * `upload-worker.mjs`): it loads its readers, waits for one file, and answers with its rows or
 * the reason it was refused. The server then ends the thread, whatever the file did to its heap.
 */
import { parentPort } from 'node:worker_threads';
import { TableError } from './table.ts';
import { parseTable, type TableRequest } from './upload.ts';
// Loaded while the worker waits as a spare, so that a workbook is read at once.
import './xlsx.ts';

parentPort!.once('message', async ({ bytes, request }: { bytes: Uint8Array; request: TableRequest }) => {
  try {
    parentPort!.postMessage({ ok: true, table: await parseTable(bytes, request) });
  } catch (error) {
    parentPort!.postMessage(error instanceof TableError ? { ok: false, code: error.code, limit: error.limit } : { ok: false, code: 'bad_file' });
  }
});
