/**
 * @module
 * Roster import: upload, a preview listing every row's problems, then one all-or-nothing
 * commit. The preview carries the parsed rows in the commit form; the commit checks them
 * again, so what is written is always what passes the checks at that moment.
 */
import { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { checkRoster, commitRoster, readRoster, RosterFileError, rosterTemplate, ROSTER_COLUMNS, type CheckedRow, type RosterRow } from '../../core/roster.ts';
import { requireRole, requireUser } from '../auth.ts';
import { requestContext, t, type PanelContext, type PanelDeps, type PanelEnv } from '../context.ts';
import type { Dictionary } from '../i18n.ts';
import { renderFragment, errorPage, renderPage } from '../render.tsx';

const SHOWN: Array<(typeof ROSTER_COLUMNS)[number]> = ROSTER_COLUMNS.filter(([, f]) => ['name', 'gender', 'birthDate', 'unit', 'position', 'rank', 'mobile', 'employeeNo'].includes(f));

function Preview(props: { t: Dictionary; rows: CheckedRow[] }) {
  const { t, rows } = props;
  const bad = rows.filter((r) => r.problems.length > 0);
  return (
    <div id="preview">
      <p class={`alert ${bad.length ? 'alert-error' : 'alert-info'}`} role="status">
        {t.roster.summary(rows.length, bad.length)} {bad.length > 0 && t.roster.fixFirst}
      </p>
      <div class="table-wrap">
        <table class="table" id="preview-table">
          <thead>
            <tr>
              <th>{t.roster.row}</th>
              <th>{t.roster.problems}</th>
              {SHOWN.map(([title]) => <th>{title}</th>)}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr class={r.problems.length ? 'row-bad' : undefined}>
                <td class="num">{r.line}</td>
                <td class="wrap">
                  {r.problems.length === 0 ? (
                    <span class="badge ok">{r.action === 'update' ? t.roster.willUpdate : t.roster.willCreate}</span>
                  ) : (
                    r.problems.map((p) => <span class="badge err problem">{t.errors[p] ?? p}</span>)
                  )}
                </td>
                {SHOWN.map(([, field]) => <td>{r.values[field] ?? ''}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {bad.length === 0 && rows.length > 0 && (
        <form class="form-actions" method="post" action="/import/commit" hx-post="/import/commit" hx-target="#import-result" hx-disable="find button">
          <input type="hidden" name="rows" value={JSON.stringify(rows.map((r) => ({ line: r.line, values: r.values })))} />
          <button type="submit" class="button primary" id="commit-button">{t.roster.commit}</button>
        </form>
      )}
    </div>
  );
}

function parseRows(raw: unknown): RosterRow[] | null {
  if (typeof raw !== 'string') return null;
  try {
    const rows = JSON.parse(raw) as unknown;
    if (!Array.isArray(rows)) return null;
    return rows
      .filter((r): r is RosterRow => typeof r === 'object' && r !== null && typeof r.line === 'number' && typeof r.values === 'object' && r.values !== null)
      .map((r) => ({ line: r.line, values: Object.fromEntries(Object.entries(r.values).filter(([, v]) => typeof v === 'string')) }));
  } catch {
    return null;
  }
}

export function rosterRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = new Hono<PanelEnv>();
  app.onError(errorPage(deps));
  app.use('*', requireUser(deps), requireRole('district_admin', 'unit_admin'));
  const answer = (c: PanelContext, body: Child, status: 200 | 422 = 200) =>
    c.req.header('HX-Request') ? renderFragment(c, body, status) : renderPage(c, deps, t(c).roster.title, body, status);
  const alert = (text: string) => <p class="alert alert-error" role="alert">{text}</p>;

  app.get('/', (c) => {
    const dict = t(c);
    return renderPage(
      c,
      deps,
      dict.roster.title,
      <>
        <div class="page-head">
          <h1>{dict.roster.title}</h1>
          <div class="actions"><a class="button" href="/import/template.xlsx" download>{dict.roster.template}</a></div>
        </div>
        <section class="card">
          <p class="muted">{dict.roster.intro}</p>
          <form id="upload-form" class="inline-form" method="post" action="/import/preview" enctype="multipart/form-data" hx-post="/import/preview" hx-encoding="multipart/form-data" hx-target="#import-result" hx-disable="find button">
            <input type="file" name="file" accept=".xlsx,.csv" required aria-label={dict.roster.file} />
            <button type="submit" class="button primary">{dict.roster.preview}</button>
          </form>
        </section>
        <div id="import-result"></div>
      </>,
    );
  });

  app.get('/template.xlsx', async (c) => {
    c.header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    c.header('Content-Disposition', `attachment; filename="roster-template.xlsx"; filename*=UTF-8''${encodeURIComponent('干部名册导入模板.xlsx')}`);
    return c.body((await rosterTemplate()) as Uint8Array<ArrayBuffer>);
  });

  app.post('/preview', async (c) => {
    const dict = t(c);
    const body = await c.req.parseBody();
    const file = body.file;
    if (!(file instanceof File) || file.size === 0) return answer(c, alert(dict.roster.noFile), 422);
    let rows: RosterRow[];
    try {
      rows = await readRoster(new Uint8Array(await file.arrayBuffer()), file.name);
    } catch (error) {
      if (error instanceof RosterFileError) return answer(c, alert(error.code === 'too_many' ? dict.roster.tooMany : dict.roster.badFile), 422);
      throw error;
    }
    const checked = await checkRoster(deps.db, requestContext(c, deps), rows);
    return answer(c, <Preview t={dict} rows={checked} />, checked.some((r) => r.problems.length) ? 422 : 200);
  });

  app.post('/commit', async (c) => {
    const dict = t(c);
    const rows = parseRows((await c.req.parseBody()).rows);
    if (!rows || rows.length === 0) return answer(c, alert(dict.roster.expired), 422);
    const result = await commitRoster(deps.db, requestContext(c, deps), rows);
    if (!result.ok) return answer(c, <Preview t={dict} rows={result.rows} />, 422);
    return answer(c, <p class="alert alert-ok" role="status" id="import-done">{dict.roster.done(result.created, result.updated)}</p>);
  });
  return app;
}
