/**
 * @module
 * The long-connection receiver (LARK_MODE=websocket): the SDK's `WSClient` receives events and
 * card callbacks over a WebSocket Miaopu opens, so no public URL is needed. Events go to the
 * same router as webhook events; the router's answer goes back as the callback's response.
 */
import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from '../core/logger.ts';
import type { Envelope, HandlerResult } from './receiver.ts';
import { createHttp, type Fetch } from './http.ts';

export interface LongConnectionOptions {
  appId: string;
  appSecret: string;
  domain: string;
  handle: (envelope: Envelope) => Promise<HandlerResult>;
  log: Logger;
  fetch?: Fetch;
  /** Seconds without any frame after a ping before the connection counts as dead. */
  pingTimeoutS?: number;
}

export interface LongConnection {
  state(): string;
  close(): void;
}

export function startLongConnection(options: LongConnectionOptions): LongConnection {
  const { log } = options;
  const sdkLog = (level: 'warn' | 'error') => (...args: unknown[]) => log[level]({ component: 'lark-ws' }, args.flat().map(String).join(' ').slice(0, 300));
  const client = new lark.WSClient({
    appId: options.appId,
    appSecret: options.appSecret,
    domain: options.domain,
    httpInstance: createHttp({ fetch: options.fetch, timeoutMs: 15_000 }),
    logger: { error: sdkLog('error'), warn: sdkLog('warn'), info: () => {}, debug: () => {}, trace: () => {} },
    loggerLevel: lark.LoggerLevel.warn,
    autoReconnect: true,
    handshakeTimeoutMs: 10_000,
    wsConfig: { pingTimeout: options.pingTimeoutS ?? 30 },
    onReady: () => log.info({ component: 'lark-ws' }, 'Lark long connection ready'),
    onReconnecting: () => log.warn({ component: 'lark-ws' }, 'Lark long connection lost; reconnecting'),
    onReconnected: () => log.info({ component: 'lark-ws' }, 'Lark long connection restored'),
    onError: (err: Error) => log.error({ component: 'lark-ws', err }, 'Lark long connection gave up'),
  } as ConstructorParameters<typeof lark.WSClient>[0]);

  // The SDK hands the dispatcher the whole plaintext envelope; we route it ourselves instead
  // of through EventDispatcher, so both receivers share one path.
  const dispatcher = {
    async invoke(data: unknown) {
      const result = await options.handle(data as Envelope);
      if (result.status >= 500) throw new Error(`handler answered ${result.status}`);
      return result.body;
    },
  };
  void client.start({ eventDispatcher: dispatcher as unknown as lark.EventDispatcher });
  return {
    state: () => client.getConnectionStatus().state,
    close: () => client.close({ force: true }),
  };
}
