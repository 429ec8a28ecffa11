/**
 * @module
 * The sandbox's Lark OAuth endpoints, with Lark's paths and JSON shapes: an authorize page where
 * the person picks who they are (a demo cadre or a panel user linked to Lark), the
 * code → user_access_token exchange (v2, top-level JSON), and user_info. Mounted under
 * `/sandbox`, so a Lark client whose domain is `${publicUrl}/sandbox` signs in here.
 * Codes last 5 minutes and work once, as on Lark.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { asc, eq, isNotNull } from 'drizzle-orm';
import { cadres, units } from '../../db/schema/org.ts';
import { panelUsers } from '../../db/schema/users.ts';
import type { Db } from '../../db/client.ts';
import type { Clock } from '../../core/clock.ts';

const CODE_TTL_MS = 5 * 60 * 1000;
const TOKEN_TTL_S = 7200;

export interface SandboxOAuthDeps {
  db: Db;
  clock: Clock;
}

/** What the page says; the sandbox stands in for Lark's own (Chinese) page. */
const TEXT = {
  title: '飞书授权（沙箱）',
  intro: '这是本地模拟的飞书授权页面。请选择您要以哪位用户的身份登录。',
  panelUsers: '已关联飞书的面板用户',
  cadres: '演示干部',
  pick: '授权登录',
  badRequest: '授权请求不完整或回调地址不属于本站。',
};

async function whoIs(db: Db, openId: string): Promise<{ name: string } | null> {
  const [user] = await db.select({ name: panelUsers.displayName }).from(panelUsers).where(eq(panelUsers.larkOpenId, openId));
  if (user) return user;
  const [cadre] = await db.select({ name: cadres.name }).from(cadres).where(eq(cadres.larkOpenId, openId));
  return cadre ?? null;
}

/**
 * @example app.route('/sandbox', sandboxOAuthRoutes({ db, clock }))
 */
export function sandboxOAuthRoutes(deps: SandboxOAuthDeps): Hono {
  const app = new Hono();
  const codes = new Map<string, { openId: string; redirectUri: string; expires: number }>();
  const tokens = new Map<string, { openId: string; expires: number }>();

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

  app.post('/open-apis/authen/v1/authorize', async (c) => {
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
