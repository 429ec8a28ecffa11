/**
 * @module
 * Sign-in with a password, sign-out, and the language switch. Failures never say which field
 * was wrong; five failures for a username or an address lock both out for ten minutes.
 */
import { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import { getCookie, setCookie } from 'hono/cookie';
import { panelUsers } from '../../db/schema/users.ts';
import { audit } from '../../core/audit.ts';
import { hashPassword, verifyPassword } from '../../core/passwords.ts';
import { beginLoginAttempt, endSession, sessionUser } from '../../core/sessions.ts';
import { Head } from '../components/layout.tsx';
import { clearSessionCookie, SESSION_COOKIE, signIn } from '../auth.ts';
import { clientIp, langOf, safeNext, t, type PanelDeps } from '../context.ts';
import type { Dictionary, Lang } from '../i18n.ts';
import { redirect } from '../redirect.ts';


export function LoginPage(props: { t: Dictionary; lang: Lang; next: string; error?: string; username?: string }) {
  const { t } = props;
  return (
    <html lang={props.lang === 'zh' ? 'zh-CN' : 'en'}>
      <Head title={t.login.title} t={t} />
      <body class="login-body">
        <main class="login-card">
          <div class="login-brand">
            <img src="/static/favicon.svg" alt="" width="44" height="44" />
            <div>
              <h1>{t.appName}</h1>
              <p>{t.appSubtitle}</p>
            </div>
          </div>
          {props.error && (
            <p class="alert alert-error" role="alert">
              {props.error}
            </p>
          )}
          <form method="post" action={`/login?next=${encodeURIComponent(props.next)}`} class="stack">
            <label class="field">
              <span>{t.login.username}</span>
              <input name="username" autocomplete="username" required value={props.username ?? ''} autofocus />
            </label>
            <label class="field">
              <span>{t.login.password}</span>
              <input name="password" type="password" autocomplete="current-password" required />
            </label>
            <button type="submit" class="button primary block">{t.login.submit}</button>
          </form>
          <div class="or"><span>{t.login.or}</span></div>
          <a class="button block lark" href={`/auth/lark?next=${encodeURIComponent(props.next)}`}>{t.login.lark}</a>
          <p class="login-foot">
            <a href={`/lang/${t.lang.code}?next=${encodeURIComponent(`/login?next=${encodeURIComponent(props.next)}`)}`}>{t.lang.switchTo}</a>
          </p>
        </main>
      </body>
    </html>
  );
}

export function loginRoutes(deps: PanelDeps): Hono {
  const app = new Hono();
  // Compared against when the username is unknown, so timing does not reveal which usernames exist.
  let dummyHash: Promise<string> | undefined;

  app.get('/login', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    const next = safeNext(c.req.query('next'));
    if (token && (await sessionUser(deps.db, token, deps.clock))) return c.redirect(next, 302);
    const error = c.req.query('error');
    const dict = t(c);
    const message = error === 'lark' ? dict.login.larkFailed : error === 'unlinked' ? dict.login.larkUnlinked : undefined;
    return c.html(`<!doctype html>${<LoginPage t={dict} lang={langOf(c)} next={next} error={message} />}`);
  });

  app.post('/login', async (c) => {
    const body = await c.req.parseBody();
    const username = typeof body.username === 'string' ? body.username.trim() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const next = safeNext(c.req.query('next'));
    const ip = clientIp(c, deps.trustProxy);
    const dict = t(c);
    const again = (error: string, status: 401 | 429) =>
      c.html(`<!doctype html>${<LoginPage t={dict} lang={langOf(c)} next={next} error={error} username={username} />}`, status);

    // Counted before the password is checked, so concurrent guesses cannot outrun the limit.
    const attempt = await beginLoginAttempt(deps.db, username, ip, deps.clock);
    if (attempt.throttled) return again(dict.login.throttled, 429);
    const [user] = username ? await deps.db.select().from(panelUsers).where(eq(panelUsers.username, username)) : [];
    const valid = await verifyPassword(password, user?.passwordHash ?? (await (dummyHash ??= hashPassword('not-a-password'))));
    if (!user || !valid || user.disabled) {
      deps.log.info({ userId: user?.id ?? null }, 'panel sign-in failed');
      return again(dict.login.failed, 401);
    }
    await attempt.succeeded();
    await signIn(c, deps, user, ip);
    await audit(deps.db, { actorId: user.id, action: 'login', entity: 'session', ip });
    return redirect(c, next);
  });

  app.post('/logout', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) {
      const user = await sessionUser(deps.db, token, deps.clock);
      await endSession(deps.db, token, deps.clock);
      if (user) await audit(deps.db, { actorId: user.id, action: 'logout', entity: 'session', ip: clientIp(c, deps.trustProxy) });
    }
    clearSessionCookie(c);
    return redirect(c, '/login');
  });

  app.get('/lang/:code', (c) => {
    const code = c.req.param('code') === 'en' ? 'en' : 'zh';
    setCookie(c, 'lang', code, { path: '/', sameSite: 'Lax', maxAge: 365 * 24 * 3600 });
    return c.redirect(safeNext(c.req.query('next')), 302);
  });

  return app;
}
