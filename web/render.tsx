/** @module Renders a full panel page (with the frame) or a bare fragment. */
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTPException } from 'hono/http-exception';
import { Layout } from './components/layout.tsx';
import { langOf, t, type PanelContext, type PanelDeps } from './context.ts';

export function renderPage(c: PanelContext, deps: Pick<PanelDeps, 'sandbox'>, title: string, body: Child, status: ContentfulStatusCode = 200) {
  const html = (
    <Layout t={t(c)} lang={langOf(c)} title={title} path={c.req.path} user={c.var.user} sandbox={deps.sandbox}>
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
