/** @module Renders a full panel page (with the frame) or a bare fragment. */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTPException } from 'hono/http-exception';
import { isDatabaseUnavailable } from '../db/outage.ts';
import type { Logger } from '../core/logger.ts';
import { Head, Layout } from './components/layout.tsx';
import { langOf, safeNext, t, type PanelContext, type PanelDeps } from './context.ts';

export function renderPage(c: PanelContext, deps: Pick<PanelDeps, 'sandbox' | 'nav'>, title: string, body: Child, status: ContentfulStatusCode = 200) {
  const html = (
    <Layout t={t(c)} lang={langOf(c)} title={title} path={c.req.path} user={c.var.user} sandbox={deps.sandbox} nav={deps.nav}>
      {body}
    </Layout>
  );
  c.header('Vary', 'HX-Request-Type');
  return c.html(`<!doctype html>${html}`, status);
}

export function renderFragment(c: PanelContext, body: Child, status: ContentfulStatusCode = 200) {
  c.header('Vary', 'HX-Request-Type');
  return c.html(`${body}`, status);
}

/**
 * The panel's error answer: a 403 or 404 inside the frame (with the message in the user's
 * language), a generic 500 for anything else (logged with its path, never with personal data).
 * @example app.onError(errorPage(deps))
 */
export function errorPage(deps: Pick<PanelDeps, 'sandbox' | 'log'>) {
  return (error: Error, c: PanelContext) => {
    if (isDatabaseUnavailable(error)) return unavailable(c, deps.log, error);
    const status = error instanceof HTTPException ? error.status : 500;
    if (status >= 500) deps.log.error({ err: error, path: c.req.path }, 'request failed');
    const message = status >= 500 ? t(c).common.serverError : error.message || t(c).common.notFound;
    if (c.req.header('HX-Request') || !c.var.user) {
      return c.html(`<p class="alert alert-error" role="alert">${escapeHtml(message)}</p>`, status as ContentfulStatusCode);
    }
    return renderPage(c, deps, message, <div class="card empty-state"><h1>{status}</h1><p>{message}</p><a class="button" href="/">{t(c).nav.dashboard}</a></div>, status as ContentfulStatusCode);
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The error's code (ECONNREFUSED, 57P01, CONNECTION_ENDED …), for the log: never its text or parameters. */
function codeOf(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined, i = 0; e && i < 5; i++) {
    if (typeof e.code === 'string') return e.code;
    e = (e.cause ?? e.errors?.[0]) as typeof e;
  }
  return undefined;
}

/**
 * The answer while the database cannot be reached: 503 with Retry-After, in the user's
 * language; a full page (it needs nothing from the database), or for htmx a small fragment.
 */
export function unavailable(c: Context, log: Pick<Logger, 'warn'>, error: unknown) {
  log.warn({ path: c.req.path, code: codeOf(error) }, 'database unavailable');
  const tr = t(c);
  c.header('Retry-After', '30');
  c.header('Cache-Control', 'no-store');
  c.header('Vary', 'HX-Request-Type');
  if (c.req.header('HX-Request')) {
    return c.html(`<p class="alert alert-error" role="alert">${escapeHtml(tr.common.unavailable)}</p>`, 503);
  }
  const url = new URL(c.req.url);
  const retry = c.req.method === 'GET' ? safeNext(url.pathname + url.search) : '/';
  const page = (
    <html lang={langOf(c) === 'zh' ? 'zh-CN' : 'en'}>
      <Head title={tr.common.unavailableTitle} t={tr} />
      <body class="login-body">
        <main class="login-card empty-state">
          <h1>503</h1>
          <h2>{tr.common.unavailableTitle}</h2>
          <p>{tr.common.unavailable}</p>
          <a class="button primary" href={retry}>{tr.common.retry}</a>
        </main>
      </body>
    </html>
  );
  return c.html(`<!doctype html>${page}`, 503);
}
