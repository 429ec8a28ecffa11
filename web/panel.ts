/**
 * @module
 * Mounts the panel on the application: security headers with a strict Content-Security-Policy,
 * the CSRF origin check, static assets, sign-in, and the pages. Every page guards itself with
 * `requireUser`, so routes mounted beside the panel (health, Lark events, the sandbox) are not
 * affected by the panel's sign-in.
 */
import type { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import type { PanelDeps } from './context.ts';
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
import { evaluationRoutes } from './pages/evaluation.tsx';
import { ballotRoutes } from './pages/evaluation/ballot.tsx';
import { larkOAuthRoutes } from './oauth.ts';
// Evaluation results
import { resultsRoutes } from './pages/results/index.tsx';
import { sandboxOAuthRoutes } from '../bot/sandbox/oauth.ts';
import { currentUser } from './auth.ts';

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
  // Lark's own POSTs are JSON and carry no browser Origin; the check applies to form posts.
  app.use('*', csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || origin === new URL(deps.publicUrl).origin }));
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
        isDistrictAdmin: async (c) => (await currentUser(c, deps))?.role === 'district_admin',
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
  // Evaluation results first: /evaluation/:id/results…, /evaluation/compare (full paths, own
  // guards), so the admin sub-app's /evaluation/:id routes and guards never shadow them.
  app.route('/', resultsRoutes(deps));
  // Evaluation admin (民主测评), and the web ballot, which needs no sign-in.
  app.route('/evaluation', evaluationRoutes(deps));
  app.route('/', ballotRoutes(deps));
}
