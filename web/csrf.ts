/**
 * @module
 * The CSRF check: a request that can change something (any method but GET, HEAD, OPTIONS) must
 * come from the panel's own pages: `Sec-Fetch-Site: same-origin`, or an `Origin` that is the
 * panel's (as the request reached it, or PUBLIC_URL). It applies whatever the content type, so
 * a JSON or a bodiless POST is checked like a form.
 *
 * Excepted are the endpoints servers call, which carry no browser Origin and prove themselves
 * otherwise: Lark's `/lark/events` and `/lark/card` (signature and verification token), and in
 * sandbox mode the stand-in Lark API under `/sandbox/open-apis/` (called by the SDK clients of
 * the bot and the panel). Even there a form-encoded post (what a foreign page can send without
 * asking) is still checked, so the sandbox's sign-in form under the same prefix stays covered.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';

const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/;
/** What a cross-site `<form>` can send (text/plain, and no content type at all, included). */
const FORM_CONTENT = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\b/i;

/** Paths whose callers are servers that authenticate each request themselves. */
export function isServerEndpoint(path: string): boolean {
  return path === '/lark/events' || path === '/lark/card' || path.startsWith('/sandbox/open-apis/');
}

export function csrfCheck(options: { publicUrl: string }): MiddlewareHandler {
  const publicOrigin = new URL(options.publicUrl).origin;
  const fromPanel = (c: Context) => {
    if (c.req.header('sec-fetch-site') === 'same-origin') return true;
    const origin = c.req.header('origin');
    return origin !== undefined && (origin === new URL(c.req.url).origin || origin === publicOrigin);
  };
  return async (c, next) => {
    if (!SAFE_METHOD.test(c.req.method) && !fromPanel(c)) {
      const type = c.req.header('content-type');
      const formLike = type === undefined || FORM_CONTENT.test(type);
      if (!isServerEndpoint(c.req.path) || formLike) {
        throw new HTTPException(403, { res: new Response('Forbidden', { status: 403 }) });
      }
    }
    await next();
  };
}
