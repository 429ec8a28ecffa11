/**
 * @module
 * The start of every guarded panel page: a sub-app that answers errors with the panel's error
 * page, lets only signed-in users through, and, given a permission, only those who hold it.
 * @example const app = panelApp(deps, { allow: isDistrictAdmin }); app.get('/', …); return app;
 */
import { Hono } from 'hono';
import type { Permission } from '../core/roles.ts';
import { requireRole, requireUser } from './auth.ts';
import type { PanelDeps, PanelEnv } from './context.ts';
import { errorPage } from './render.tsx';

/**
 * A sub-app guarding every path it serves. Mount it under its own prefix: at `/` its guard
 * would also cover the sign-in page.
 */
export function panelApp(deps: Pick<PanelDeps, 'db' | 'clock' | 'sandbox' | 'log'>, options: { allow?: Permission } = {}): Hono<PanelEnv> {
  const app = new Hono<PanelEnv>();
  app.onError(errorPage(deps));
  app.use('*', requireUser(deps));
  if (options.allow) app.use('*', requireRole(options.allow));
  return app;
}
