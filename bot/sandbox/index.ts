/**
 * @module
 * The Lark sandbox: a faithful local Lark Open Platform (API subset, state and fault knobs)
 * that the real SDK talks to. Mount `api` under `/sandbox`; or use `fetch` to reach it
 * in-process, as the tests and the CLI do.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import type { Fetch } from '../http.ts';
import { sandboxApi } from './api.ts';
import { createSandboxState, type SandboxOptions, type SandboxState } from './state.ts';

export interface Sandbox {
  state: SandboxState;
  /** The API routes, to mount under `/sandbox`. */
  api: Hono;
  /** Reaches the API in-process; any URL whose path starts with `/sandbox` works. */
  fetch: Fetch;
}

export const SANDBOX_APP_ID = 'cli_a1b2c3d4e5f60718';
/**
 * A fixed secret for sandboxes reached only in-process (tests, the CLI, benchmarks). The sandbox
 * that Miaopu serves under `/sandbox` never uses it: it gets `sandboxAppSecret()`.
 */
export const SANDBOX_APP_SECRET = 'sandbox-secret-not-for-production';

const SECRET_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * The app secret of the served sandbox, which is also its access secret (printed at start): it
 * gets a tenant token, unlocks the sandbox's sign-in page, and is the client secret of "Sign in
 * with Lark". Random per start; derived from `shared` (BALLOT_SEAL_SECRET) when given, so split
 * web and worker processes agree without the seal secret itself ever being shown.
 * @example sandboxAppSecret() // "k3MZq…" (24 characters a person can type)
 */
export function sandboxAppSecret(shared?: string): string {
  const bytes = shared ? createHmac('sha256', shared).update('miaopu sandbox app secret').digest() : randomBytes(32);
  let out = '';
  for (let i = 0; i < 24; i++) out += SECRET_ALPHABET[bytes[i]! % SECRET_ALPHABET.length];
  return out;
}

export function createSandbox(options: Partial<SandboxOptions> = {}): Sandbox {
  const state = createSandboxState({ appId: SANDBOX_APP_ID, appSecret: SANDBOX_APP_SECRET, ...options });
  const api = sandboxApi(state);
  const root = new Hono().route('/sandbox', api);
  return {
    state,
    api,
    fetch: (input, init) => Promise.resolve(root.fetch(input instanceof Request ? input : new Request(input, init))),
  };
}

export { demoDirectory } from './directory.ts';
export { LARK_LIMITS, p2pChatId, type Limits, type SandboxState, type SandboxUser } from './state.ts';
