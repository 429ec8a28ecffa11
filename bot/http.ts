/**
 * @module
 * The HTTP instance the Lark SDK uses, built on `fetch` with a timeout on every request (the
 * SDK's own axios instance has none). Taking `fetch` as a parameter lets the tests and the CLI
 * point the real SDK at the sandbox in-process, without a port.
 */
import type { HttpInstance } from '@larksuiteoapi/node-sdk';

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A non-2xx answer or a failed transfer, shaped like axios' error so the SDK passes it through. */
export class LarkHttpError extends Error {
  constructor(
    message: string,
    /** Absent when no answer arrived (network error, timeout). */
    readonly response?: { status: number; data: unknown; headers: Record<string, string> },
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'LarkHttpError';
  }
}

interface RequestOptions {
  url?: string;
  method?: string;
  headers?: Record<string, unknown>;
  params?: Record<string, unknown>;
  data?: unknown;
  timeout?: number;
  $return_headers?: boolean;
}

function withParams(url: string, params?: Record<string, unknown>): string {
  if (!params) return url;
  const u = new URL(url);
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    // Lark takes repeated keys for lists (user_ids=a&user_ids=b).
    for (const v of Array.isArray(value) ? value : [value]) u.searchParams.append(key, String(v));
  }
  return u.toString();
}

export function createHttp(options: { fetch?: Fetch; timeoutMs: number }): HttpInstance {
  const doFetch = options.fetch ?? globalThis.fetch;
  async function request(opts: RequestOptions): Promise<any> {
    const method = (opts.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined && v !== null) headers[k] = String(v);
    let body: string | undefined;
    if (opts.data !== undefined && method !== 'GET' && method !== 'HEAD') {
      body = typeof opts.data === 'string' ? opts.data : JSON.stringify(opts.data);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    const timeoutMs = opts.timeout && opts.timeout > 0 ? Math.min(opts.timeout, options.timeoutMs) : options.timeoutMs;
    let response: Response;
    try {
      // Abort the transfer and also race a timer: a fetch that ignores its signal (an
      // in-process app) must not hang the caller either.
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new Error('timeout');
          error.name = 'TimeoutError';
          controller.abort(error);
          reject(error);
        }, timeoutMs);
      });
      try {
        response = await Promise.race([doFetch(withParams(opts.url!, opts.params), { method, headers, body, signal: controller.signal }), expired]);
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
      throw new LarkHttpError(timedOut ? `no answer within ${timeoutMs} ms` : `request failed: ${(error as Error).message}`, undefined, timedOut);
    }
    const text = await response.text().catch(() => '');
    let data: unknown = text;
    try {
      data = text ? JSON.parse(text) : {};
    } catch {
      // not JSON: keep the text, the caller classifies by status
    }
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      responseHeaders[key] = value;
    });
    if (response.status < 200 || response.status >= 300) {
      throw new LarkHttpError(`HTTP ${response.status}`, { status: response.status, data, headers: responseHeaders });
    }
    return opts.$return_headers ? { data, headers: responseHeaders } : data;
  }
  return {
    request,
    get: (url, opts) => request({ ...(opts as RequestOptions), url, method: 'GET' }),
    delete: (url, opts) => request({ ...(opts as RequestOptions), url, method: 'DELETE' }),
    head: (url, opts) => request({ ...(opts as RequestOptions), url, method: 'HEAD' }),
    options: (url, opts) => request({ ...(opts as RequestOptions), url, method: 'OPTIONS' }),
    post: (url, data, opts) => request({ ...(opts as RequestOptions), url, data, method: 'POST' }),
    put: (url, data, opts) => request({ ...(opts as RequestOptions), url, data, method: 'PUT' }),
    patch: (url, data, opts) => request({ ...(opts as RequestOptions), url, data, method: 'PATCH' }),
  } as HttpInstance;
}
