/**
 * @module
 * The page frame: a sidebar with the features a role may use, the signed-in user and role, a
 * language switch, and the content. Full documents only; fragments skip it.
 */
import type { Child } from 'hono/jsx';
import type { PanelUser } from '../../db/schema/users.ts';
import { ADMINS, DISTRICT_ADMINS, READERS } from '../../core/roles.ts';
import type { Dictionary, Lang } from '../i18n.ts';
import type { NavEntry } from '../context.ts';

const shell = (key: keyof Dictionary['nav'], href: string, roles: NavEntry['roles'], order: number, sandboxOnly?: boolean): NavEntry => ({
  key,
  href,
  label: (t) => t.nav[key],
  roles,
  order,
  sandboxOnly,
});

/** The shell's own entries; features bring theirs (features/…), placed between by `order`. */
export const NAV: NavEntry[] = [
  shell('dashboard', '/', 'all', 10),
  // 审阅: every feature's items in one inbox (web/pages/review.tsx); viewers read only.
  { key: 'review', href: '/review', label: (t) => t.review.nav, roles: READERS, order: 15 },
  shell('cadres', '/cadres', READERS, 20),
  shell('units', '/units', READERS, 30),
  shell('import', '/import', ADMINS, 60),
  shell('audit', '/audit', DISTRICT_ADMINS, 70),
  shell('users', '/users', DISTRICT_ADMINS, 80),
  shell('jobs', '/jobs', DISTRICT_ADMINS, 90),
  shell('calendar', '/calendar', DISTRICT_ADMINS, 95),
  // It acts as any cadre: district admins only (web/sandbox.tsx).
  shell('simulator', '/sandbox/chat', DISTRICT_ADMINS, 100, true),
];

/** The menu a user sees: the shell's and the features' entries their role may use, in order. */
export function menuFor(user: PanelUser | undefined, sandbox: boolean, features: readonly NavEntry[] = []): NavEntry[] {
  if (!user) return [];
  return [...NAV, ...features]
    .filter((n) => (!n.sandboxOnly || sandbox) && (n.roles === 'all' || n.roles.includes(user.role)))
    .sort((a, b) => a.order - b.order);
}

export interface LayoutProps {
  t: Dictionary;
  lang: Lang;
  title: string;
  path: string;
  user?: PanelUser;
  sandbox?: boolean;
  /** The features' menu entries. */
  nav?: readonly NavEntry[];
  children: Child;
}

function isCurrent(href: string, path: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

export function Head({ title, t }: { title: string; t: Dictionary }) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${title} · ${t.appName}`}</title>
      <meta name="htmx-config" content='{"defaultTimeout":60000,"noSwap":[204,304]}' />
      <link rel="stylesheet" href="/static/panel.css" />
      <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
      <script src="/static/htmx.min.js"></script>
      <script src="/static/panel.js" defer></script>
    </head>
  );
}

export function Layout(props: LayoutProps) {
  const { t, lang, user } = props;
  const items = menuFor(user, !!props.sandbox, props.nav);
  const next = encodeURIComponent(props.path);
  return (
    <html lang={lang === 'zh' ? 'zh-CN' : 'en'}>
      <Head title={props.title} t={t} />
      <body>
        <a class="skip" href="#main">{t.skip}</a>
        <input type="checkbox" id="nav-toggle" class="nav-toggle" aria-hidden="true" />
        <header class="topbar">
          <label for="nav-toggle" class="menu-button" aria-label={t.nav.menu}>
            <span></span><span></span><span></span>
          </label>
          <a href="/" class="brand">
            <img src="/static/favicon.svg" alt="" width="28" height="28" />
            <span class="brand-name">{t.appName}</span>
            <span class="brand-sub">{t.appSubtitle}</span>
          </a>
          <div class="topbar-right">
            <a class="lang" href={`/lang/${t.lang.code}?next=${next}`} lang={t.lang.code === 'en' ? 'en' : 'zh-CN'}>{t.lang.switchTo}</a>
            {user && (
              <>
                <span class="who">
                  <span class="who-name">{user.displayName}</span>
                  <span class="badge role">{t.role[user.role]}</span>
                </span>
                <form method="post" action="/logout" class="logout">
                  <button type="submit" class="link-button">{t.login.logout}</button>
                </form>
              </>
            )}
          </div>
        </header>
        <div class="shell">
          <label for="nav-toggle" class="backdrop" aria-hidden="true"></label>
          <nav class="sidebar" aria-label={t.nav.menu}>
            <ul>
              {items.map((n) => (
                <li>
                  <a href={n.href} class={isCurrent(n.href, props.path) ? 'current' : undefined} aria-current={isCurrent(n.href, props.path) ? 'page' : undefined}>
                    <span class={`icon icon-${n.key}`} aria-hidden="true"></span>
                    {n.label(t, lang)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <main id="main" class="content">
            {props.children}
          </main>
        </div>
      </body>
    </html>
  );
}
