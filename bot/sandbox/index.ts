/**
 * @module
 * The Lark sandbox: a faithful local Lark Open Platform (API subset, state and fault knobs)
 * that the real SDK talks to. Mount `api` under `/sandbox`; or use `fetch` to reach it
 * in-process, as the tests and the CLI do.
 */
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
export const SANDBOX_APP_SECRET = 'sandbox-secret-not-for-production';

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
