/**
 * @module
 * The page frame: a sidebar with the features a role may use, the signed-in user and role, a
 * language switch, and the content. Full documents only; fragments skip it.
 */
import type { Child } from 'hono/jsx';
import type { PanelUser, PanelRole } from '../../db/schema/users.ts';
import type { Dictionary, Lang } from '../i18n.ts';

type NavKey = keyof Dictionary['nav'];
interface NavItem {
  key: NavKey;
  href: string;
  roles: PanelRole[] | 'all';
  sandboxOnly?: boolean;
}

const ADMINS: PanelRole[] = ['district_admin', 'unit_admin'];
const READERS: PanelRole[] = ['district_admin', 'unit_admin', 'viewer'];

/** The features, in menu order; later features add their entries here. */
export const NAV: NavItem[] = [
  { key: 'dashboard', href: '/', roles: 'all' },
  { key: 'cadres', href: '/cadres', roles: READERS },
  { key: 'units', href: '/units', roles: READERS },
  { key: 'evaluation', href: '/evaluation', roles: READERS },
  { key: 'import', href: '/import', roles: ADMINS },
  { key: 'audit', href: '/audit', roles: ['district_admin'] },
  { key: 'users', href: '/users', roles: ['district_admin'] },
  { key: 'jobs', href: '/jobs', roles: ['district_admin'] },
  { key: 'calendar', href: '/calendar', roles: ['district_admin'] },
  // It acts as any cadre: district admins only (web/sandbox.tsx).
  { key: 'simulator', href: '/sandbox/chat', roles: ['district_admin'], sandboxOnly: true },
];

export interface LayoutProps {
  t: Dictionary;
  lang: Lang;
  title: string;
  path: string;
  user?: PanelUser;
  sandbox?: boolean;
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
  const items = NAV.filter((n) => (!n.sandboxOnly || props.sandbox) && user && (n.roles === 'all' || n.roles.includes(user.role)));
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
                    {t.nav[n.key]}
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
