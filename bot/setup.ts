/**
 * @module
 * The Lark layer as `main.ts` starts it, per LARK_MODE:
 * - `sandbox`: the local Lark Open Platform under `/sandbox` on Miaopu's own server (the real
 *   SDK talks to it over HTTP), its event pusher, and the chat simulator at `/sandbox/chat`;
 * - `webhook`: the receiver at `/lark/events` and `/lark/card`;
 * - `websocket`: the long connection, feeding the same router (the receiver stays mounted).
 */
import { randomBytes } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import type { Fetch } from './http.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../core/logger.ts';
import type { PendingRegistry } from '../core/pending.ts';
import { createBot, type Bot, type BotDeps } from './index.ts';
import { createLarkApi, type LarkApi } from './lark.ts';
import { createSandbox, demoDirectory, SANDBOX_APP_ID, sandboxAppSecret, type Sandbox } from './sandbox/index.ts';
import { createEventPusher, type EventPusher } from './sandbox/pusher.ts';
import { createSimulator, type ActAs } from './sandbox/simulator.tsx';
import { startLongConnection, type LongConnection } from './ws.ts';

export interface LarkLayerDeps {
  config: Config;
  db: Db;
  log: Logger;
  pending: PendingRegistry;
  /** Queues committed outbox rows (the outbox queue's `flush`). */
  flushOutbox: (ids: string[]) => Promise<void>;
  /**
   * Who may use the chat simulator, and the record of each act as a person (web/sandbox.tsx:
   * district admins, audited). Without it the simulator is not mounted.
   */
  simulator?: { guard: MiddlewareHandler; onActAs: ActAs };
  /** The features' text commands and card actions (features/assemble.ts). */
  commands?: BotDeps['commands'];
  cardActions?: BotDeps['cardActions'];
  /** How the Lark API client reaches its domain; global fetch unless a test routes it in-process. */
  larkFetch?: Fetch;
}

export interface LarkLayer {
  api: LarkApi;
  bot: Bot;
  /** Mount at `/`: `/lark/*`, and `/sandbox/*` in sandbox mode. */
  routes: Hono;
  sandbox?: Sandbox & { pusher: EventPusher };
  /**
   * What the panel's "Sign in with Lark" uses: the Lark domain and app, in sandbox mode the
   * served sandbox and its app (whose secret is the sandbox access secret).
   */
  oauthClient: { domain: string; appId?: string; appSecret?: string };
  /** Opens the long connection in websocket mode; nothing otherwise. */
  start(): void;
  stop(): void;
}

export function createLarkLayer(deps: LarkLayerDeps): LarkLayer {
  const { config, log } = deps;
  const mode = config.lark.mode;
  const isSandbox = mode === 'sandbox';
  // The sandbox signs and encrypts like Lark; without configured secrets it makes its own per boot.
  const encryptKey = config.lark.encryptKey ?? (isSandbox ? randomBytes(16).toString('hex') : undefined);
  const verificationToken = config.lark.verificationToken ?? (isSandbox ? randomBytes(16).toString('hex') : undefined);
  const appId = config.lark.appId ?? SANDBOX_APP_ID;
  // Outside the sandbox the config requires LARK_APP_SECRET. The served sandbox never has a
  // fixed secret: anyone who could read the source would get a tenant token.
  const appSecret = config.lark.appSecret ?? sandboxAppSecret(config.ballotSealSecret);
  const domain = isSandbox ? `${config.publicUrl}/sandbox` : config.lark.domain;

  const api = createLarkApi({ appId, appSecret, domain, fetch: deps.larkFetch, log: log.child({ component: 'lark' }) });
  const bot = createBot({
    db: deps.db,
    log: log.child({ component: 'bot' }),
    pending: deps.pending,
    flushOutbox: deps.flushOutbox,
    botOpenId: () => api.botOpenId(),
    encryptKey,
    verificationToken,
    commands: deps.commands,
    cardActions: deps.cardActions,
  });
  const routes = new Hono();
  routes.route('/lark', bot.receiver);

  let sandbox: LarkLayer['sandbox'];
  if (isSandbox) {
    const sb = createSandbox({ appId, appSecret, tenantName: '青禾区' });
    sb.state.setDirectory(demoDirectory());
    const pusher = createEventPusher({
      state: sb.state,
      // In-process: the receiver is on this same server.
      deliver: (input, init) => Promise.resolve(routes.fetch(input instanceof Request ? input : new Request(input, init))),
      url: `${config.publicUrl}/lark/events`,
      encryptKey,
      verificationToken,
    });
    if (deps.simulator) routes.route('/sandbox/chat', createSimulator({ state: sb.state, pusher, ...deps.simulator }));
    routes.route('/sandbox', sb.api);
    sandbox = { ...sb, pusher };
  }

  let connection: LongConnection | undefined;
  return {
    api,
    bot,
    routes,
    sandbox,
    oauthClient: isSandbox ? { domain, appId, appSecret } : { domain: config.lark.domain, appId: config.lark.appId, appSecret: config.lark.appSecret },
    start() {
      if (mode !== 'websocket') return;
      connection = startLongConnection({ appId, appSecret, domain: config.lark.domain, handle: bot.router.handle, log });
    },
    stop() {
      connection?.close();
    },
  };
}
