/**
 * @module
 * "Sign in with Lark": the OAuth authorization-code flow against `LARK_DOMAIN` (in sandbox
 * mode, Miaopu's own `/sandbox`). A Lark user whose open_id belongs to an enabled panel user
 * signs in as that user. The state travels in an HttpOnly cookie and must come back unchanged.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { and, eq } from 'drizzle-orm';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { panelUsers } from '../db/schema/users.ts';
import { audit } from '../core/audit.ts';
import { signIn } from './auth.ts';
import { clientIp, safeNext, type PanelDeps } from './context.ts';

const STATE_COOKIE = 'miaopu_oauth';
const TIMEOUT_MS = 8000;
/** The sandbox accepts any app id; real Lark needs LARK_APP_ID. */
const SANDBOX_APP_ID = 'cli_sandbox';

/** Lark's authorize page lives on `accounts.*`, its APIs on `open.*`; other hosts serve both. */
export function authorizeBase(domain: string): string {
  const url = new URL(domain);
  if (url.hostname === 'open.feishu.cn') return 'https://accounts.feishu.cn';
  if (url.hostname === 'open.larksuite.com') return 'https://accounts.larksuite.com';
  return domain;
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export function larkOAuthRoutes(deps: PanelDeps & { fetch?: Fetch }): Hono {
  const app = new Hono();
  const doFetch: Fetch = deps.fetch ?? ((input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) }));
  const clientId = deps.lark.appId ?? SANDBOX_APP_ID;
  const redirectUri = `${deps.publicUrl}/auth/lark/callback`;

  app.get('/auth/lark', (c) => {
    const state = randomBytes(16).toString('base64url');
    const next = safeNext(c.req.query('next'));
    setCookie(c, STATE_COOKIE, `${state}|${encodeURIComponent(next)}`, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: deps.publicUrl.startsWith('https:'),
      path: '/auth/lark',
      maxAge: 600,
    });
    const url = new URL(`${authorizeBase(deps.lark.domain)}/open-apis/authen/v1/authorize`);
    url.searchParams.set('client_id', clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('state', state);
    return c.redirect(url.toString(), 302);
  });

  app.get('/auth/lark/callback', async (c) => {
    const [expected, nextEncoded] = (getCookie(c, STATE_COOKIE) ?? '').split('|');
    deleteCookie(c, STATE_COOKIE, { path: '/auth/lark' });
    const state = c.req.query('state') ?? '';
    const code = c.req.query('code');
    const fail = (reason: string, error = 'lark') => {
      deps.log.info({ reason }, 'Lark sign-in refused');
      return c.redirect(`/login?error=${error}`, 302);
    };
    if (!expected || !code || state.length !== expected.length || !timingSafeEqual(Buffer.from(state), Buffer.from(expected))) return fail('state mismatch');

    let openId: string | undefined;
    try {
      const tokenRes = await doFetch(`${deps.lark.domain}/open-apis/authen/v2/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ grant_type: 'authorization_code', client_id: clientId, client_secret: deps.lark.appSecret ?? '', code, redirect_uri: redirectUri }),
      });
      const token = (await tokenRes.json()) as { code?: number; access_token?: string };
      if (!tokenRes.ok || token.code !== 0 || !token.access_token) return fail(`token exchange answered ${tokenRes.status}/${token.code}`);
      const infoRes = await doFetch(`${deps.lark.domain}/open-apis/authen/v1/user_info`, { headers: { authorization: `Bearer ${token.access_token}` } });
      const info = (await infoRes.json()) as { code?: number; data?: { open_id?: string } };
      if (!infoRes.ok || info.code !== 0) return fail(`user_info answered ${infoRes.status}/${info.code}`);
      openId = info.data?.open_id;
    } catch (err) {
      deps.log.error({ err }, 'Lark sign-in could not reach Lark');
      return fail('unreachable');
    }
    if (!openId) return fail('no open_id');
    const [user] = await deps.db.select().from(panelUsers).where(and(eq(panelUsers.larkOpenId, openId), eq(panelUsers.disabled, false)));
    if (!user) return fail('open_id not linked to a panel user', 'unlinked');
    const ip = clientIp(c, deps.trustProxy);
    await signIn(c, deps, user, ip);
    await audit(deps.db, { actorId: user.id, action: 'login', entity: 'session', diff: { via: 'lark' }, ip });
    let next = '/';
    try {
      next = decodeURIComponent(nextEncoded ?? '/');
    } catch {
      // A cookie that is not ours: back to the dashboard.
    }
    return c.redirect(safeNext(next), 302);
  });

  return app;
}
