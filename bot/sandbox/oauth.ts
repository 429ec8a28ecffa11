/**
 * @module
 * The sandbox's Lark OAuth endpoints, with Lark's paths and JSON shapes: an authorize page where
 * the person picks who they are (a demo cadre or a panel user linked to Lark), the
 * code → user_access_token exchange (v2, top-level JSON), and user_info. Mounted under
 * `/sandbox`, so a Lark client whose domain is `${publicUrl}/sandbox` signs in here.
 * Codes last 5 minutes and work once, as on Lark.
 *
 * Picking who you are is a password-free sign-in as anyone, so the page opens only for a
 * signed-in district admin, or after the sandbox access secret (the sandbox app's secret,
 * printed at start) is entered on it; that unlocks this browser for 30 minutes. The token
 * exchange wants the app's client_secret, as Lark's does.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { asc, eq, isNotNull } from 'drizzle-orm';
import { cadres, units } from '../../db/schema/org.ts';
import { panelUsers } from '../../db/schema/users.ts';
import type { Db } from '../../db/client.ts';
import type { Clock } from '../../core/clock.ts';

const CODE_TTL_MS = 5 * 60 * 1000;
const TOKEN_TTL_S = 7200;
const GRANT_TTL_MS = 30 * 60 * 1000;
const GRANT_COOKIE = 'miaopu_sandbox';
const AUTHORIZE_PATH = '/sandbox/open-apis/authen/v1/authorize';

export interface SandboxOAuthDeps {
  db: Db;
  clock: Clock;
  /**
   * The sandbox app. `secret` is the access secret: entered on the authorize page it unlocks the
   * page, and the token exchange requires it as client_secret. Without one, only a signed-in
   * district admin can use the page.
   */
  app?: { id?: string; secret?: string };
  /** Whether the request comes from a signed-in district admin (the panel's session). */
  isDistrictAdmin: (c: Context) => Promise<boolean>;
  /** Mark the unlock cookie Secure (the panel is served over https). */
  secureCookies?: boolean;
}

/** What the page says; the sandbox stands in for Lark's own (Chinese) page. */
const TEXT = {
  title: '飞书授权（沙箱）',
  intro: '这是本地模拟的飞书授权页面。请选择您要以哪位用户的身份登录。',
  panelUsers: '已关联飞书的面板用户',
  cadres: '演示干部',
  pick: '授权登录',
  badRequest: '授权请求不完整或回调地址不属于本站。',
  locked: '在沙箱中可以不用密码以任何人的身份登录，所以此页面仅对已登录的区级管理员开放，或者输入 Miaopu 启动时打印的“沙箱访问密钥”（Sandbox access secret）。',
  secret: '沙箱访问密钥',
  unlock: '继续',
  wrongSecret: '沙箱访问密钥不正确。',
  adminSignIn: '以区级管理员身份登录面板',
  refused: '需要已登录的区级管理员，或沙箱访问密钥。',
};

/** Compares secrets in constant time, whatever their lengths. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

async function whoIs(db: Db, openId: string): Promise<{ name: string } | null> {
  const [user] = await db.select({ name: panelUsers.displayName }).from(panelUsers).where(eq(panelUsers.larkOpenId, openId));
  if (user) return user;
  const [cadre] = await db.select({ name: cadres.name }).from(cadres).where(eq(cadres.larkOpenId, openId));
  return cadre ?? null;
}

interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  state: string;
}

function authorizeUrl(r: AuthorizeRequest): string {
  const query = new URLSearchParams({ client_id: r.clientId, redirect_uri: r.redirectUri, response_type: 'code', ...(r.state ? { state: r.state } : {}) });
  return `${AUTHORIZE_PATH}?${query}`;
}

/** The authorize page before access: the secret, or a way to sign in as a district admin. */
function lockedPage(r: AuthorizeRequest, withSecret: boolean, error?: string) {
  return html`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
<title>${TEXT.title}</title><link rel="stylesheet" href="/static/panel.css" /></head>
<body class="login-body"><main class="login-card">
  <h1>${TEXT.title}</h1><p class="muted">${TEXT.locked}</p>
  ${error ? html`<p class="alert alert-error" role="alert">${error}</p>` : ''}
  ${withSecret
    ? html`<form method="post" action="/sandbox/access" class="stack">
    <input type="hidden" name="client_id" value="${r.clientId}" /><input type="hidden" name="redirect_uri" value="${r.redirectUri}" /><input type="hidden" name="state" value="${r.state}" />
    <label class="field"><span>${TEXT.secret}</span><input name="secret" type="password" autocomplete="off" required autofocus /></label>
    <button type="submit" class="button primary block">${TEXT.unlock}</button>
  </form>
  <div class="or"><span>或</span></div>`
    : ''}
  <a class="button block" href="/login?next=${encodeURIComponent(authorizeUrl(r))}">${TEXT.adminSignIn}</a>
</main></body></html>`;
}

/**
 * @example app.route('/sandbox', sandboxOAuthRoutes({ db, clock, app: { id, secret }, isDistrictAdmin }))
 */
export function sandboxOAuthRoutes(deps: SandboxOAuthDeps): Hono {
  const app = new Hono();
  const codes = new Map<string, { openId: string; redirectUri: string; expires: number }>();
  const tokens = new Map<string, { openId: string; expires: number }>();
  /** Browsers that entered the access secret: cookie value → expiry. */
  const grants = new Map<string, number>();
  const secret = deps.app?.secret;

  /** A district admin, or a browser unlocked with the access secret. */
  const mayPick = async (c: Context) => {
    const grant = getCookie(c, GRANT_COOKIE);
    const expires = grant ? grants.get(grant) : undefined;
    if (expires !== undefined && expires > deps.clock.now().getTime()) return true;
    return deps.isDistrictAdmin(c);
  };

  /** Only back to this site: the sandbox must not become an open redirect. */
  const sameSite = (redirectUri: string, requestUrl: string) => {
    try {
      return new URL(redirectUri).origin === new URL(requestUrl).origin;
    } catch {
      return false;
    }
  };

  app.get('/open-apis/authen/v1/authorize', async (c) => {
    const q = c.req.query();
    const redirectUri = q.redirect_uri ?? '';
    if (!(q.client_id || q.app_id) || !redirectUri || !sameSite(redirectUri, c.req.url)) return c.text(TEXT.badRequest, 400);
    if (!(await mayPick(c))) return c.html(lockedPage({ clientId: q.client_id ?? q.app_id ?? '', redirectUri, state: q.state ?? '' }, !!secret), 401);
    const [linked, people] = await Promise.all([
      deps.db.select({ openId: panelUsers.larkOpenId, name: panelUsers.displayName, username: panelUsers.username }).from(panelUsers).where(isNotNull(panelUsers.larkOpenId)).orderBy(asc(panelUsers.username)),
      deps.db.select({ openId: cadres.larkOpenId, name: cadres.name, unit: units.name }).from(cadres).innerJoin(units, eq(units.id, cadres.unitId)).where(isNotNull(cadres.larkOpenId)).orderBy(asc(cadres.id)).limit(300),
    ]);
    const hidden = html`<input type="hidden" name="redirect_uri" value="${redirectUri}" /><input type="hidden" name="state" value="${q.state ?? ''}" />`;
    const form = (label: string, id: string, options: Array<[string, string]>, primary: boolean) => html`
      <form method="post" action="/sandbox/open-apis/authen/v1/authorize" class="stack">
        ${hidden}
        <label class="field"><span>${label}</span>
          <select name="open_id" id="${id}">${options.map(([value, text]) => html`<option value="${value}">${text}</option>`)}</select>
        </label>
        <button type="submit" class="button ${primary ? 'primary ' : ''}block">${TEXT.pick}</button>
      </form>`;
    const page = html`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
<title>${TEXT.title}</title><link rel="stylesheet" href="/static/panel.css" /></head>
<body class="login-body"><main class="login-card">
  <h1>${TEXT.title}</h1><p class="muted">${TEXT.intro}</p>
  ${linked.length > 0 ? form(TEXT.panelUsers, 'sandbox-panel-user', linked.map((u) => [u.openId!, `${u.name}（${u.username}）`]), true) : ''}
  <div class="or"><span>${TEXT.cadres}</span></div>
  ${form(TEXT.cadres, 'sandbox-cadre', people.map((p) => [p.openId!, `${p.name} · ${p.unit}`]), false)}
</main></body></html>`;
    return c.html(page);
  });

  /** The access secret, entered on the locked authorize page; right, it unlocks this browser. */
  app.post('/access', async (c) => {
    const body = await c.req.parseBody();
    const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
    const request = { clientId: field('client_id'), redirectUri: field('redirect_uri'), state: field('state') };
    if (!request.clientId || !sameSite(request.redirectUri, c.req.url)) return c.text(TEXT.badRequest, 400);
    if (!secret || !sameSecret(field('secret'), secret)) return c.html(lockedPage(request, !!secret, TEXT.wrongSecret), 401);
    const now = deps.clock.now().getTime();
    for (const [grant, expires] of grants) if (expires <= now) grants.delete(grant);
    const grant = randomBytes(24).toString('base64url');
    grants.set(grant, now + GRANT_TTL_MS);
    setCookie(c, GRANT_COOKIE, grant, { httpOnly: true, sameSite: 'Lax', secure: deps.secureCookies ?? false, path: '/sandbox', maxAge: GRANT_TTL_MS / 1000 });
    return c.redirect(authorizeUrl(request), 303);
  });

  app.post('/open-apis/authen/v1/authorize', async (c) => {
    if (!(await mayPick(c))) return c.text(TEXT.refused, 401);
    const body = await c.req.parseBody();
    const openId = typeof body.open_id === 'string' ? body.open_id : '';
    const redirectUri = typeof body.redirect_uri === 'string' ? body.redirect_uri : '';
    if (!openId || !sameSite(redirectUri, c.req.url) || !(await whoIs(deps.db, openId))) return c.text(TEXT.badRequest, 400);
    const code = randomBytes(16).toString('hex');
    codes.set(code, { openId, redirectUri, expires: deps.clock.now().getTime() + CODE_TTL_MS });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    if (typeof body.state === 'string' && body.state) target.searchParams.set('state', body.state);
    return c.redirect(target.toString(), 302);
  });

  app.post('/open-apis/authen/v2/oauth/token', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as Record<string, string>;
    const invalid = (description: string) => c.json({ code: 20003, error: 'invalid_grant', error_description: description }, 400);
    if (body.grant_type !== 'authorization_code') return c.json({ code: 20001, error: 'unsupported_grant_type', error_description: 'grant_type must be authorization_code' }, 400);
    if (secret && (typeof body.client_secret !== 'string' || !sameSecret(body.client_secret, secret) || (deps.app?.id && body.client_id !== deps.app.id))) {
      return c.json({ code: 20002, error: 'invalid_client', error_description: 'client_id or client_secret is invalid.' }, 401);
    }
    const entry = body.code ? codes.get(body.code) : undefined;
    if (body.code) codes.delete(body.code);
    if (!entry || entry.expires < deps.clock.now().getTime()) return invalid('The authorization code is invalid or has expired.');
    if (body.redirect_uri && body.redirect_uri !== entry.redirectUri) return invalid('redirect_uri does not match the authorization request.');
    const accessToken = `u-${randomBytes(24).toString('base64url')}`;
    tokens.set(accessToken, { openId: entry.openId, expires: deps.clock.now().getTime() + TOKEN_TTL_S * 1000 });
    return c.json({ code: 0, access_token: accessToken, expires_in: TOKEN_TTL_S, token_type: 'Bearer', scope: '' });
  });

  app.get('/open-apis/authen/v1/user_info', async (c) => {
    const token = c.req.header('authorization')?.replace(/^Bearer\s+/i, '') ?? '';
    const entry = tokens.get(token);
    if (!entry || entry.expires < deps.clock.now().getTime()) return c.json({ code: 99991668, msg: 'Invalid access token for authorization. Please make a request with token attached.' }, 401);
    const person = await whoIs(deps.db, entry.openId);
    return c.json({
      code: 0,
      msg: 'success',
      data: {
        name: person?.name ?? '',
        en_name: '',
        avatar_url: '',
        open_id: entry.openId,
        union_id: `on_${entry.openId.slice(3)}`,
        tenant_key: 'sandbox',
      },
    });
  });

  return app;
}
