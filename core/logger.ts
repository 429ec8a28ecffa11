/**
 * @module
 * The logger interface the code depends on (pino satisfies it), and the one logger Miaopu makes.
 * Log lines carry ids, never names, mobiles or answers. Errors are the way personal data would
 * slip in: a failed query carries its parameters (a cadre's name, birth date, mobile) in
 * drizzle's message and in postgres.js's fields, and the server's `detail` quotes the row. So
 * every error is logged through `serializeError`, which keeps what says what went wrong (the
 * type, the SQLSTATE code, the constraint, the statement's first words, the stack frames) and
 * drops everything else.
 */
import pino, { type DestinationStream } from 'pino';

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface SerializedError {
  type: string;
  message: string;
  /** SQLSTATE (`23505`), or a Node/library code (`ECONNREFUSED`). */
  code?: string | number;
  /** For a failed query: its verb and table, e.g. `update "cadres"`, never its values. */
  statement?: string;
  severity?: string;
  constraint?: string;
  table?: string;
  column?: string;
  routine?: string;
  /** Connection errors: where the connection went. */
  syscall?: string;
  address?: string;
  port?: number;
  status?: number;
  kind?: string;
  stack?: string;
  errors?: SerializedError[];
  cause?: SerializedError;
}

type Loose = Record<string, unknown>;

const MAX_DEPTH = 4;

/** An error the database server raised (postgres.js's PostgresError, node-postgres's DatabaseError). */
function isServerError(e: Loose): boolean {
  return typeof e.severity === 'string' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code);
}

/** drizzle's DrizzleQueryError: "Failed query: <sql>\nparams: <every value>". */
function isFailedQuery(e: Loose): boolean {
  return typeof e.query === 'string' && 'params' in e;
}

/**
 * A statement's first words: the verb and the table it works on (`insert into "cadres"`,
 * `select … from "units"`). Only identifiers make it through, never a literal.
 */
export function statementOf(query: unknown): string | undefined {
  if (typeof query !== 'string') return undefined;
  const q = query.replace(/\s+/g, ' ').trim();
  const ident = String.raw`"?[A-Za-z_][\w$]*"?(?:\."?[A-Za-z_][\w$]*"?)?`;
  const write = new RegExp(String.raw`^(insert into|update|delete from) (${ident})`, 'i').exec(q);
  if (write) return `${write[1]!.toLowerCase()} ${write[2]}`;
  const verb = /^(with|select|lock|truncate|create|alter|drop|begin|commit|rollback|savepoint|set|copy|listen|notify|call|do)\b/i.exec(q)?.[1]?.toLowerCase();
  if (!verb) return 'sql';
  const from = new RegExp(String.raw`\bfrom (${ident})`, 'i').exec(q);
  return verb === 'select' || verb === 'with' ? `${verb} … ${from ? `from ${from[1]}` : ''}`.trim() : verb;
}

/**
 * A server message without the value it may quote: PostgreSQL puts the offending input after a
 * colon (`invalid input syntax for type date: "1990-02-30"`, `invalid byte sequence for encoding
 * "UTF8": 0x00`), while the names of constraints and tables come before it.
 */
export function redactServerMessage(message: string): string {
  const cut = message.indexOf(': ');
  return (cut >= 0 ? message.slice(0, cut) : message).slice(0, 300);
}

function messageOf(e: Loose): string {
  if (isFailedQuery(e)) return `Failed query: ${statementOf(e.query)}`;
  const message = typeof e.message === 'string' ? e.message : '';
  if (isServerError(e)) return redactServerMessage(message);
  return message.slice(0, 1000);
}

/** The stack's frames under a safe first line (the original first line repeats the message). */
function stackOf(e: Loose, head: string): string | undefined {
  if (typeof e.stack !== 'string') return undefined;
  const frames = e.stack.split('\n').filter((line) => /^\s+at /.test(line));
  return [head, ...frames.slice(0, 20)].join('\n');
}

const str = (v: unknown) => (typeof v === 'string' && v.length <= 200 ? v : undefined);

/**
 * An error as a log line may hold it. Whatever is not listed here (drizzle's `query` and
 * `params`, postgres.js's `parameters`, `args` and `types`, the server's `detail`, `where`,
 * `hint` and `internal_query`, a client object) is left out, at every level of `cause`.
 * @example pino({ serializers: { err: serializeError } })
 */
export function serializeError(err: unknown, depth = 0): SerializedError {
  if (err === null || typeof err !== 'object') return { type: typeof err, message: typeof err === 'string' ? err.slice(0, 1000) : String(err) };
  const e = err as Loose;
  const ctor = (e.constructor as { name?: string } | undefined)?.name;
  const type = typeof e.name === 'string' && e.name && e.name !== 'Error' ? e.name : ctor || 'Error';
  const message = messageOf(e);
  const out: SerializedError = { type, message };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  const statement = statementOf(e.query);
  if (statement) out.statement = statement;
  if (isServerError(e)) {
    out.severity = str(e.severity);
    out.constraint = str(e.constraint_name ?? e.constraint);
    out.table = str(e.table_name ?? e.table);
    out.column = str(e.column_name ?? e.column);
    out.routine = str(e.routine);
  }
  for (const k of ['syscall', 'address', 'kind'] as const) if (str(e[k])) out[k] = str(e[k]);
  if (typeof e.port === 'number') out.port = e.port;
  if (typeof e.status === 'number') out.status = e.status;
  const stack = stackOf(e, `${type}: ${message}`);
  if (stack) out.stack = stack;
  if (depth < MAX_DEPTH) {
    if (Array.isArray(e.errors)) out.errors = e.errors.slice(0, 5).map((x) => serializeError(x, depth + 1));
    if (e.cause !== undefined && e.cause !== err) out.cause = serializeError(e.cause, depth + 1);
  }
  // drizzle's wrapper has no code of its own: the server's (the SQLSTATE) is the one to read.
  if (out.code === undefined && isFailedQuery(e) && out.cause?.code !== undefined) out.code = out.cause.code;
  for (const k of Object.keys(out) as Array<keyof SerializedError>) if (out[k] === undefined) delete out[k];
  return out;
}

/** Whether an error, or one in its `cause` chain, carries what `serializeError` leaves out. */
function carriesData(err: unknown, depth = 0): boolean {
  if (err === null || typeof err !== 'object' || depth > MAX_DEPTH) return false;
  const e = err as Loose;
  if (isFailedQuery(e) || isServerError(e) || 'parameters' in e || 'args' in e) return true;
  return carriesData(e.cause, depth + 1);
}

/**
 * For errors that leave the process in other ways than a log line (a failed job's reason and
 * stack, kept in the queue and shown on the jobs page; a message printed at start): the error
 * itself when it carries no query data, otherwise a plain Error with the serialized message
 * and stack, and the SQLSTATE as its code.
 */
export function redactError(err: unknown): unknown {
  if (!carriesData(err)) return err;
  const safe = serializeError(err);
  const root = (function innermost(s: SerializedError): SerializedError {
    return s.cause ? innermost(s.cause) : s;
  })(safe);
  const error = new Error(root === safe ? safe.message : `${safe.message} (${root.type}${root.code ? ` ${root.code}` : ''}: ${root.message})`);
  error.name = safe.type;
  if (safe.stack) error.stack = `${error.name}: ${error.message}\n${safe.stack.split('\n').slice(1).join('\n')}`;
  if (root.code !== undefined) (error as Error & { code?: unknown }).code = root.code;
  return error;
}

/** The serializers every Miaopu logger uses (pino applies them to these keys of a log object). */
export const LOG_SERIALIZERS = { err: serializeError, error: serializeError, cause: serializeError };

/**
 * The process's logger: JSON lines on stdout (or `destination`), errors through `serializeError`.
 * @example const log = createLogger({ level: config.logLevel, base: { role: config.role } })
 */
export function createLogger(options: { level: string; base?: Record<string, unknown> }, destination?: DestinationStream): Logger {
  const config = { level: options.level, serializers: LOG_SERIALIZERS, ...(options.base ? { base: options.base } : {}) };
  return destination ? pino(config, destination) : pino(config);
}
