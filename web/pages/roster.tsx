/**
 * @module
 * Roster import: upload, a preview listing every row's problems, then one all-or-nothing
 * commit. The preview carries the parsed rows in the commit form; the commit checks them
 * again, so what is written is always what passes the checks at that moment.
 */
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Child } from 'hono/jsx';
import { commitRoster, previewRoster, rosterTemplate, ROSTER_COLUMNS, ROSTER_MAX_BYTES, ROSTER_MAX_ROWS, type CheckedRow, type RosterRow } from '../../core/roster.ts';
import type { TableError } from '../../core/table.ts';
import { requestContext, t, type PanelContext, type PanelDeps, type PanelEnv } from '../context.ts';
import type { Dictionary } from '../i18n.ts';
import { renderFragment, renderPage } from '../render.tsx';
import { canEditCadres } from '../../core/roles.ts';
import { panelApp } from '../panel-app.ts';
import { xlsxResponse } from '../download.ts';
import { Form } from '../components/form.tsx';

const SHOWN: Array<(typeof ROSTER_COLUMNS)[number]> = ROSTER_COLUMNS.filter(([, f]) => ['name', 'gender', 'birthDate', 'unit', 'position', 'rank', 'mobile', 'employeeNo'].includes(f));

/** The commit form carries the previewed rows; its body may be larger than the file (URL-encoded). */
const COMMIT_MAX_BYTES = 16 * 1024 * 1024;
const MiB = 1024 * 1024;

/** The column title of a field (the edit form's `unitId` is the roster's 单位). */
function titleOf(field: string): string {
  const key = field === 'unitId' ? 'unit' : field;
  return ROSTER_COLUMNS.find(([, f]) => f === key)?.[0] ?? field;
}

/** A problem code (see `CheckedRow.problems`) in the reader's language. */
function problemText(t: Dictionary, row: CheckedRow, problem: string): string {
  const [code, a, b] = problem.split(':');
  switch (code) {
    case 'too_long':
      return t.roster.tooLong(titleOf(a ?? ''), Number(b));
    case 'too_many_tags':
      return t.roster.tooManyTags(Number(a));
    case 'invalid':
      return t.roster.invalidField(titleOf(a ?? ''));
    case 'ambiguous_unit':
      return t.roster.ambiguousUnit(row.values.unit ?? '', row.unitChoices ?? []);
    default:
      return t.errors[problem] ?? problem;
  }
}

/** Why a file was refused, in the reader's language. */
export function fileProblem(t: Dictionary, error: TableError): string {
  switch (error.code) {
    case 'too_large':
      return t.upload.tooLarge(Math.round((error.limit ?? 0) / MiB));
    case 'too_many_rows':
      return t.upload.tooManyRows(error.limit ?? ROSTER_MAX_ROWS);
    case 'too_many_columns':
      return t.upload.tooManyColumns(error.limit ?? 0);
    default:
      return t.roster.badFile;
  }
}

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
                    r.problems.map((p) => <span class="badge err problem">{problemText(t, r, p)}</span>)
                  )}
                </td>
                {SHOWN.map(([, field]) => <td>{r.values[field] ?? ''}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {bad.length === 0 && rows.length > 0 && (
        <Form class="form-actions" action="/import/commit" target="#import-result" swap="innerHTML" disableButtons>
          <input type="hidden" name="rows" value={JSON.stringify(rows.map((r) => ({ line: r.line, values: r.values })))} />
          <button type="submit" class="button primary" id="commit-button">{t.roster.commit}</button>
        </Form>
      )}
    </div>
  );
}

function parseRows(raw: unknown): RosterRow[] | null {
  if (typeof raw !== 'string') return null;
  try {
    const rows = JSON.parse(raw) as unknown;
    if (!Array.isArray(rows)) return null;
    if (rows.length > ROSTER_MAX_ROWS) return null;
    return rows
      .filter((r): r is RosterRow => typeof r === 'object' && r !== null && typeof r.line === 'number' && typeof r.values === 'object' && r.values !== null)
      .map((r) => ({ line: r.line, values: Object.fromEntries(Object.entries(r.values).filter(([, v]) => typeof v === 'string')) }));
  } catch {
    return null;
  }
}

export function rosterRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = panelApp(deps, { allow: canEditCadres });
  const answer = (c: PanelContext, body: Child, status: ContentfulStatusCode = 200) =>
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
          <Form id="upload-form" class="inline-form" action="/import/preview" target="#import-result" swap="innerHTML" multipart disableButtons>
            <input type="file" name="file" accept=".xlsx,.csv" required aria-label={dict.roster.file} />
            <button type="submit" class="button primary">{dict.roster.preview}</button>
          </Form>
        </section>
        <div id="import-result"></div>
      </>,
    );
  });

  app.get('/template.xlsx', async (c) => {
    return xlsxResponse(c, { name: '干部名册导入模板.xlsx', fallback: 'roster-template.xlsx' }, await rosterTemplate());
  });

  const tooLarge = (maxBytes: number) =>
    bodyLimit({ maxSize: maxBytes, onError: (c) => answer(c as PanelContext, alert(t(c).upload.tooLarge(Math.round(maxBytes / MiB))), 413) });

  // The body limit is a little above the file's own: the multipart envelope and the other fields.
  app.post('/preview', tooLarge(ROSTER_MAX_BYTES + 64 * 1024), async (c) => {
    const dict = t(c);
    const body = await c.req.parseBody();
    const file = body.file;
    if (!(file instanceof File) || file.size === 0) return answer(c, alert(dict.roster.noFile), 422);
    const ctx = requestContext(c, deps);
    const result = await previewRoster(deps.db, ctx, { bytes: new Uint8Array(await file.arrayBuffer()), name: file.name });
    if (!result.ok) {
      if (result.error.reason) deps.log.warn({ reason: result.error.reason, bytes: file.size }, 'roster: file could not be read');
      const status = result.error.code === 'too_large' ? 413 : 422;
      return answer(c, alert(fileProblem(dict, result.error)), status);
    }
    const checked = result.rows;
    return answer(c, <Preview t={dict} rows={checked} />, checked.some((r) => r.problems.length) ? 422 : 200);
  });

  app.post('/commit', tooLarge(COMMIT_MAX_BYTES), async (c) => {
    const dict = t(c);
    const rows = parseRows((await c.req.parseBody()).rows);
    if (!rows || rows.length === 0) return answer(c, alert(dict.roster.expired), 422);
    const result = await commitRoster(deps.db, requestContext(c, deps), rows);
    if (!result.ok) return answer(c, <Preview t={dict} rows={result.rows} />, 422);
    return answer(c, <p class="alert alert-ok" role="status" id="import-done">{dict.roster.done(result.created, result.updated)}</p>);
  });
  return app;
}
