/**
 * @module
 * Reading an uploaded table where a bad file cannot take the server down: in a worker thread
 * with its own small heap and a time limit, terminated when it goes over either. Whatever the
 * file does there, the caller gets rows or a `TableError`, and the server keeps serving.
 *
 * The worker starts from `upload-worker.mjs`, plain JavaScript that registers tsx before it
 * imports the TypeScript, so it loads the same way under `node --import tsx` (npm start) and
 * under vitest. Loading tsx and exceljs takes a second or two, so after each file the next
 * file's worker boots, and waits (without keeping the process alive) until it is needed
 * or has been idle for ten minutes. No worker reads two files.
 */
import { Worker } from 'node:worker_threads';
import { csvRows, decodeText } from './csv.ts';
import { TableError, type TableFormat, type TableLimits, type TableRow } from './table.ts';

export interface TableRequest {
  format: TableFormat;
  limits: TableLimits;
  /** Return each row's cells in the order of these header titles ('' where absent); all cells otherwise. */
  columns?: readonly string[];
  /** Return the decoded text instead of the rows (csv only), for readers that parse it themselves; the caps still apply. */
  text?: boolean;
}

export interface UploadedTable {
  /** The first non-blank row, trimmed. */
  header: string[];
  /** The rows after it (none when the text was asked for). */
  rows: TableRow[];
  text?: string;
}

export interface UploadLimits {
  /** Refuse larger files before starting (the route's body limit is the first line). */
  maxBytes: number;
  timeoutMs?: number;
}

/** The worker's heap (old generation): a file that needs more is refused, and the server is untouched. */
const WORKER_MEMORY_MB = 256;
const DEFAULT_TIMEOUT_MS = 20_000;
/** Parses at once; more wait, so that uploads cannot add up to more memory than this many workers. */
const MAX_PARALLEL = 2;
/** A spare worker (booted ahead, as tsx and exceljs take a second or two to load) is let go after this long unused. */
const SPARE_IDLE_MS = 10 * 60_000;

/** Reads the table in this thread: what the worker runs, and what unit tests call. */
export async function parseTable(bytes: Uint8Array, request: TableRequest): Promise<UploadedTable> {
  let text: string | undefined;
  let all: TableRow[];
  if (request.format === 'csv') {
    text = decodeText(bytes);
    all = csvRows(text, request.limits);
  } else {
    // exceljs is loaded when first needed (the worker loads it while it waits as a spare).
    const { xlsxRows } = await import('./xlsx.ts');
    all = await xlsxRows(bytes, request.limits);
  }
  const header = (all[0]?.cells ?? []).map((h) => h.trim());
  let rows = all.slice(1);
  const columns = request.columns;
  if (columns) {
    const at = columns.map((title) => header.indexOf(title));
    rows = rows.map((r) => ({ line: r.line, cells: at.map((i) => (i < 0 ? '' : (r.cells[i] ?? ''))) }));
  }
  if (request.text && text != null) return { header, rows: [], text };
  return { header, rows };
}

let running = 0;
const waiting: Array<() => void> = [];

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

type WorkerAnswer = { ok: true; table: UploadedTable } | { ok: false; code: TableError['code']; limit?: number };

const WORKER_URL = new URL('./upload-worker.mjs', import.meta.url);

function bootWorker(): Worker {
  const worker = new Worker(WORKER_URL, {
    // The bootstrap registers tsx itself; inherit nothing (an inspector, a loader) from the server.
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: WORKER_MEMORY_MB, maxYoungGenerationSizeMb: 32 },
  });
  // An idle spare neither keeps the process alive nor reports: if it fails, the next upload boots another.
  worker.unref();
  worker.on('error', () => {});
  return worker;
}

interface Spare {
  worker: Worker;
  alive: boolean;
  idle: NodeJS.Timeout;
}
let spare: Spare | null = null;

function bootSpare(): void {
  const worker = bootWorker();
  const entry: Spare = {
    worker,
    alive: true,
    idle: setTimeout(() => {
      if (spare === entry) spare = null;
      void worker.terminate();
    }, SPARE_IDLE_MS).unref(),
  };
  worker.once('exit', () => (entry.alive = false));
  spare = entry;
}

/** A fresh worker for one file: every file gets its own heap. */
function takeWorker(): Worker {
  const ready = spare?.alive ? spare.worker : null;
  if (spare) clearTimeout(spare.idle);
  spare = null;
  const worker = ready ?? bootWorker();
  worker.ref();
  return worker;
}

/**
 * Reads an uploaded file in a worker thread (see the module note).
 * @example const { header, rows } = await readUploadedTable(bytes, { format: 'xlsx', limits }, { maxBytes: 5 << 20 })
 */
export async function readUploadedTable(bytes: Uint8Array, request: TableRequest, limits: UploadLimits): Promise<UploadedTable> {
  if (bytes.byteLength > limits.maxBytes) throw new TableError('too_large', limits.maxBytes);
  // Not a zip at all: no need for a worker to say so.
  if (request.format === 'xlsx' && !(bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)) throw new TableError('bad_file');
  return inTurn(
    () =>
      new Promise<UploadedTable>((resolve, reject) => {
        let settled = false;
        const worker = takeWorker();
        const finish = (error: TableError | null, table?: UploadedTable) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          void worker.terminate();
          // The next file's worker boots now that this one is done (not beside it, on the same cores).
          if (!spare) bootSpare();
          if (error) reject(error);
          else resolve(table!);
        };
        const timer = setTimeout(() => finish(new TableError('bad_file', undefined, 'time limit')), limits.timeoutMs ?? DEFAULT_TIMEOUT_MS);
        worker.once('message', (answer: WorkerAnswer) => {
          if (answer.ok) finish(null, answer.table);
          else finish(new TableError(answer.code, answer.limit));
        });
        worker.once('error', (error: Error & { code?: string }) =>
          finish(new TableError('bad_file', undefined, error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory limit' : 'worker failed')),
        );
        worker.once('exit', () => finish(new TableError('bad_file', undefined, 'worker exited')));
        worker.postMessage({ bytes, request });
      }),
  );
}
