/** @module Renders a full panel page (with the frame) or a bare fragment. */
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
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
