/**
 * @module
 * Mounts the panel on the application: security headers with a strict Content-Security-Policy,
 * the CSRF origin check, static assets, sign-in, and the pages. Every page guards itself with
 * `requireUser`, so routes mounted beside the panel (health, Lark events, the sandbox) are not
 * affected by the panel's sign-in.
 */
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { t, type PanelDeps } from './context.ts';
import { csrfCheck } from './csrf.ts';
import { staticRoutes } from './static.ts';
import { loginRoutes } from './pages/login.tsx';
import { dashboardRoutes } from './pages/dashboard.tsx';
import { cadresRoutes } from './pages/cadres.tsx';
import { auditRoutes } from './pages/audit.tsx';
import { usersRoutes } from './pages/users.tsx';
import { unitsRoutes } from './pages/units.tsx';
import { rosterRoutes } from './pages/roster.tsx';
import { jobsRoutes } from './pages/jobs.tsx';
import { calendarRoutes } from './pages/calendar.tsx';
import { reviewRoutes } from './pages/review.tsx';
import { larkOAuthRoutes } from './oauth.ts';
import { sandboxOAuthRoutes } from '../bot/sandbox/oauth.ts';
import { currentUser } from './auth.ts';
import { isDistrictAdmin } from '../core/roles.ts';

/** Every other request body (forms, JSON) fits in this; a bigger one is refused before it is read. */
export const FORM_MAX_BYTES = 1024 * 1024;
/** Routes that take files set their own, larger limits (and messages) next to their handlers. */
const UPLOAD_ROUTE = /^\/(import\/(preview|commit)|evaluation\/\d+\/paper)$/;

export function mountPanel(app: Hono, deps: PanelDeps): void {
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
      },
      // The default no-referrer makes browsers send `Origin: null` on same-origin fetches,
      // which the CSRF check would refuse on plain http.
      referrerPolicy: 'same-origin',
    }),
  );
  // Every content type; Lark's own endpoints (signed) are excepted: see web/csrf.ts.
  app.use('*', csrfCheck({ publicUrl: deps.publicUrl }));
  const formLimit = bodyLimit({
    maxSize: FORM_MAX_BYTES,
    onError: (c) => c.html(`<p class="alert alert-error" role="alert">${t(c).upload.requestTooLarge(FORM_MAX_BYTES / 1024 / 1024)}</p>`, 413),
  });
  app.use('*', (c, next) => (UPLOAD_ROUTE.test(c.req.path) ? next() : formLimit(c, next)));
  app.route('/', staticRoutes());
  app.route('/', loginRoutes(deps));
  app.route('/', larkOAuthRoutes(deps));
  // The sandbox's stand-in for Lark's OAuth pages; the rest of the sandbox mounts beside it. Its
  // sign-in page is for district admins and holders of the sandbox app's secret (printed at start).
  if (deps.sandbox) {
    app.route(
      '/sandbox',
      sandboxOAuthRoutes({
        db: deps.db,
        clock: deps.clock,
        app: { id: deps.lark.appId, secret: deps.lark.appSecret },
        isDistrictAdmin: async (c) => {
          const user = await currentUser(c, deps);
          return user != null && isDistrictAdmin(user);
        },
        secureCookies: deps.publicUrl.startsWith('https:'),
      }),
    );
  }
  app.route('/', dashboardRoutes(deps));
  app.route('/cadres', cadresRoutes(deps));
  app.route('/audit', auditRoutes(deps));
  app.route('/users', usersRoutes(deps));
  app.route('/units', unitsRoutes(deps));
  app.route('/import', rosterRoutes(deps));
  app.route('/jobs', jobsRoutes(deps));
  app.route('/calendar', calendarRoutes(deps));
  app.route('/review', reviewRoutes(deps));
  // The features' pages (features/…), after the shell's.
  for (const mount of deps.routes?.(deps) ?? []) app.route(mount.path, mount.app);
}
