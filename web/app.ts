/**
 * @module
 * The HTTP application: health endpoints now; the panel, the Lark receiver and the sandbox
 * mount here. Built from its dependencies, so tests call `app.request` on the same graph.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { Logger } from '../core/logger.ts';
import { lastHeartbeats } from '../core/health.ts';
import type { PanelDeps } from './context.ts';
import { mountPanel } from './panel.ts';
import { unavailable } from './render.tsx';
import { isDatabaseUnavailable } from '../db/outage.ts';

export interface AppDeps {
  db: Db;
  log: Logger;
  /** Resolves when the job backend answers. */
  pingQueue: () => Promise<void>;
  queueBackend: 'redis' | 'postgres';
  /** The admin panel; absent, only the health endpoints answer. */
  panel?: Omit<PanelDeps, 'db' | 'log'>;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms).unref()),
  ]);
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  // Anonymous callers (load balancers, monitors) learn which part fails, never why: no error
  // text, no host names. The reasons are in the log.
  app.get('/readyz', async (c) => {
    const problems: Array<'database' | 'queue' | 'heartbeat'> = [];
    await within(deps.db.execute(sql`select 1`), 3000, 'database').catch((err: unknown) => {
      problems.push('database');
      deps.log.warn({ code: (err as { code?: unknown })?.code }, 'readyz: database unreachable');
    });
    await within(deps.pingQueue(), 3000, 'queue').catch((err: unknown) => {
      problems.push('queue');
      deps.log.warn({ code: (err as { code?: unknown })?.code, backend: deps.queueBackend }, 'readyz: job queue unreachable');
    });
    let heartbeats: Record<string, string> = {};
    if (problems.length === 0) {
      heartbeats = await lastHeartbeats(deps.db).catch(() => {
        problems.push('heartbeat');
        return {};
      });
    }
    const body = { status: problems.length === 0 ? 'ready' : 'unavailable', problems, queueBackend: deps.queueBackend, heartbeats };
    c.header('Cache-Control', 'no-store');
    return c.json(body, problems.length === 0 ? 200 : 503);
  });

  if (deps.panel) mountPanel(app, { ...deps.panel, db: deps.db, log: deps.log });

  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    if (isDatabaseUnavailable(error)) return unavailable(c, deps.log, error);
    deps.log.error({ err: error, path: c.req.path }, 'request failed');
    return c.text('服务器内部错误，请稍后重试。', 500);
  });

  return app;
}
