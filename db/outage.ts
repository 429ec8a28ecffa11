/**
 * @module
 * Tells "the database cannot be reached" apart from every other failure, so a page can answer
 * 503 ("try again shortly") instead of 500 ("something is broken").
 * @example if (isDatabaseUnavailable(error)) return c.html(unavailablePage, 503)
 */

/** Node's socket errors when a server is down, unreachable or unresolvable. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/** postgres.js's own codes for a connection that could not be made or was lost. */
const CLIENT_CODES = new Set(['CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECTION_CLOSED', 'CONNECT_TIMEOUT']);
/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception, e.g. 08006), 57P01–57P03 (the server
 * is shutting down, crashed or starting), 53300 (too many connections).
 */
const isServerCode = (code: string) => /^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';

/**
 * True when `error`, or an error it wraps (`cause`, as Drizzle wraps a driver's error; the
 * `errors` of an AggregateError, as a refused connection to both ::1 and 127.0.0.1 comes), says
 * the database cannot be reached.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || CLIENT_CODES.has(code) || isServerCode(code))) return true;
  const { cause, errors } = error as { cause?: unknown; errors?: unknown };
  if (isDatabaseUnavailable(cause, depth + 1)) return true;
  return Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1));
}
