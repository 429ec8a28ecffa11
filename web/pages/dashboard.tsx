/**
 * @module
 * The dashboard: headline counts within the user's scope, the age structure, and the
 * "needs review" list that later features (evaluations, mentorship, …) feed.
 */
import { Hono } from 'hono';
import { AGE_BANDS, orgCounts } from '../../core/org/cadres.ts';
import { requireUser } from '../auth.ts';
import { langOf, t, type PanelDeps, type PanelEnv } from '../context.ts';
import { errorPage, renderPage } from '../render.tsx';
import { CalendarWarnings, missingCalendarYears } from './calendar.tsx';
import { InboxCounts, inboxCounts } from './review.tsx';

export function dashboardRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = new Hono<PanelEnv>();
  app.onError(errorPage(deps));
  app.get('/', requireUser(deps), async (c) => {
    const dict = t(c);
    const counts = await orgCounts(deps.db, c.var.scope, deps.clock.now());
    const review = (await Promise.all((deps.review ?? []).map((source) => source({ user: c.var.user, scope: c.var.scope, lang: langOf(c) })))).flat();
    const inbox = await inboxCounts(deps, { user: c.var.user, scope: c.var.scope, lang: langOf(c) });
    const chart = {
      // No animation: the chart is read at once, printed, and captured in screenshots.
      animation: false,
      grid: { left: 40, right: 16, top: 16, bottom: 28 },
      xAxis: { type: 'category', data: AGE_BANDS.map((b) => dict.cadre.ageBand[b]), axisLabel: { interval: 0, fontSize: 11 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', data: AGE_BANDS.map((b) => counts.byAge[b]), itemStyle: { color: '#b4232a' }, barMaxWidth: 48 }],
      tooltip: {},
    };
    const stat = (label: string, value: number, href?: string) => (
      <div class="stat">
        <span class="stat-label">{label}</span>
        {href ? <a class="stat-value" href={href}>{value}</a> : <span class="stat-value">{value}</span>}
      </div>
    );
    return renderPage(
      c,
      deps,
      dict.dashboard.title,
      <>
        <h1 class="page-title">{dict.dashboard.title}</h1>
        <CalendarWarnings t={dict} years={await missingCalendarYears(deps, c.var.user)} />
        <section class="stats">
          {stat(dict.dashboard.cadres, counts.cadres, '/cadres')}
          {stat(dict.dashboard.leaders, counts.leaders, '/cadres?team=leader')}
          {stat(dict.dashboard.young, counts.young, '/cadres?age=under35')}
          {stat(dict.dashboard.units, counts.units, '/units')}
        </section>
        {inbox && <InboxCounts t={dict} counts={inbox} />}
        <div class="grid-2">
          <section class="card">
            <h2>{dict.dashboard.needsReview}</h2>
            {review.length === 0 ? (
              <p class="muted">{dict.dashboard.nothingToReview}</p>
            ) : (
              <ul class="review-list">
                {review.map((r) => (
                  <li>
                    <a href={r.href}>{r.title}</a>
                    {r.detail && <span class="muted"> {r.detail}</span>}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section class="card">
            <h2>{dict.dashboard.byAge}</h2>
            <div class="chart" data-chart={JSON.stringify(chart)} role="img" aria-label={dict.dashboard.byAge}></div>
            <table class="chart-fallback">
              <tbody>
                {AGE_BANDS.map((b) => (
                  <tr><th>{dict.cadre.ageBand[b]}</th><td>{counts.byAge[b]}</td></tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
      </>,
    );
  });
  return app;
}
