/**
 * @module
 * Panel sign-in: the session cookie, the guards every page uses, and password sign-in and
 * sign-out. `requireUser` also guards other sub-apps (web/sandbox.tsx builds the chat
 * simulator's district-admin guard on it).
 * @example app.use('*', requireUser(deps))
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import type { PanelUser } from '../db/schema/users.ts';
import type { Permission } from '../core/roles.ts';
import { scopeOf } from '../core/org/scope.ts';
import { sessionUser, startSession } from '../core/sessions.ts';
import { dictionary } from './i18n.ts';
import { langOf, type PanelDeps, type PanelEnv } from './context.ts';

export const SESSION_COOKIE = 'miaopu_session';

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure when the panel is served over https. */
export function setSessionCookie(c: Context, deps: Pick<PanelDeps, 'publicUrl'>, token: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: deps.publicUrl.startsWith('https:'),
    path: '/',
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/** Signs a user in: a new server-side session and its cookie. */
export async function signIn(c: Context, deps: Pick<PanelDeps, 'db' | 'clock' | 'publicUrl'>, user: PanelUser, ip: string | null): Promise<void> {
  const token = await startSession(deps.db, user.id, ip, deps.clock);
  setSessionCookie(c, deps, token);
}

/** The signed-in user of this request, or null; unlike `requireUser`, never answers itself. */
export async function currentUser(c: Context, deps: Pick<PanelDeps, 'db' | 'clock'>): Promise<PanelUser | null> {
  const token = getCookie(c, SESSION_COOKIE);
  return token ? sessionUser(deps.db, token, deps.clock) : null;
}

/**
 * Lets the request through only with a live session; sets `user` and `scope`. A page request
 * without one goes to the sign-in page (and back afterwards); an htmx request gets `HX-Redirect`.
 */
export function requireUser(deps: Pick<PanelDeps, 'db' | 'clock'>): MiddlewareHandler<PanelEnv> {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    const user = token ? await sessionUser(deps.db, token, deps.clock) : null;
    if (!user) {
      if (token) clearSessionCookie(c);
      const url = new URL(c.req.url);
      const login = `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
      if (c.req.header('HX-Request')) {
        c.header('HX-Redirect', login);
        return c.body(null, 401);
      }
      return c.req.method === 'GET' ? c.redirect(login, 302) : c.text(dictionary(langOf(c)).common.forbidden, 401);
    }
    c.set('user', user);
    c.set('scope', await scopeOf(deps.db, user));
    await next();
  };
}

/**
 * Refuses (403) users without the permission (core/roles.ts); use after `requireUser`.
 * @example app.post('/:id', requireRole(canEditCadres), save)
 */
export function requireRole(may: Permission): MiddlewareHandler<PanelEnv> {
  return async (c, next) => {
    if (!may(c.var.user)) {
      throw new HTTPException(403, { message: dictionary(langOf(c)).common.forbidden });
    }
    await next();
  };
}
