/**
 * @module
 * Logs a stream of repeated errors without flooding the log: while Redis or PostgreSQL is down,
 * every queue, worker and pool reports the same failure many times a second. Each kind of error
 * (its code, else its name and message) is logged at once the first time, then at most once per
 * interval, with the number of times it occurred since the last line. Only a summary is logged
 * (code, name, a bounded message): never the error object, which may hold a client, a
 * connection or query parameters.
 * @example pool.on('error', limitedErrorLog(log, 'job queue error'))
 */
import type { Logger } from '../core/logger.ts';

export interface ErrorSummary {
  code?: string;
  name: string;
  message: string;
}

const MAX_MESSAGE = 200;

export function summarizeError(error: unknown): ErrorSummary {
  const e = (error && typeof error === 'object' ? error : { message: String(error) }) as { code?: unknown; name?: unknown; message?: unknown };
  const summary: ErrorSummary = {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: (typeof e.message === 'string' ? e.message : '').slice(0, MAX_MESSAGE),
  };
  if (typeof e.code === 'string' || typeof e.code === 'number') summary.code = String(e.code);
  return summary;
}

export interface LimitedErrorLogOptions {
  /** At most one line per kind of error per this many ms; one minute by default. */
  intervalMs?: number;
  now?: () => number;
}

/**
 * A handler for `error` events that logs through `log.error` at most once per interval per kind.
 * A line after the first carries `occurrences`: how many times the error came since the last line.
 */
export function limitedErrorLog(log: Pick<Logger, 'error'>, message: string, options: LimitedErrorLogOptions = {}): (error: unknown) => void {
  const intervalMs = options.intervalMs ?? 60_000;
  const now = options.now ?? Date.now;
  const kinds = new Map<string, { loggedAt: number; held: number }>();
  return (error) => {
    const summary = summarizeError(error);
    const key = summary.code ?? `${summary.name}: ${summary.message}`;
    const at = now();
    const kind = kinds.get(key);
    if (kind && at - kind.loggedAt < intervalMs) {
      kind.held++;
      return;
    }
    log.error(kind ? { err: summary, occurrences: kind.held + 1, sinceMs: at - kind.loggedAt } : { err: summary }, message);
    kinds.set(key, { loggedAt: at, held: 0 });
    // Kinds are few (ECONNREFUSED, ETIMEDOUT …); a flood of distinct messages must not grow this without bound.
    if (kinds.size > 100) kinds.delete(kinds.keys().next().value!);
  };
}
