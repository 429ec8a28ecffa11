/**
 * @module
 * The cadre list: search as you type, filters and sort in the URL, server-side pages, and an
 * export of exactly the filtered list. Everything reads through the user's scope.
 */
import type { Hono } from 'hono';
import ExcelJS from 'exceljs';
import { audit } from '../../core/audit.ts';
import { AGE_BANDS, allCadres, cadreFacets, CADRE_SORTS, LEADERSHIP, listCadres, PAGE_SIZE, parseCadreFilters, type CadreFilters, type CadreRow } from '../../core/org/cadres.ts';
import { unitOptions } from '../../core/org/units.ts';
import { cadreStatus } from '../../db/schema/org.ts';
import { clientIp, isPartial, t, type PanelDeps, type PanelEnv } from '../context.ts';
import type { Dictionary } from '../i18n.ts';
import { renderFragment, renderPage } from '../render.tsx';
import { ageOn, Field, Options, Pager, withQuery } from '../components/ui.tsx';
import { cadreRoutes } from './cadre.tsx';
import { canSeeProfiles } from '../../core/roles.ts';
import { panelApp } from '../panel-app.ts';
import { xlsxResponse } from '../download.ts';

function filterParams(f: CadreFilters): Record<string, unknown> {
  const { page: _page, ...rest } = f;
  return { ...rest, sort: f.sort === 'unit' ? undefined : f.sort, dir: f.dir === 'asc' ? undefined : f.dir };
}

export function TeamBadge({ row, t }: { row: Pick<CadreRow, 'isLeader' | 'isPrincipal'>; t: Dictionary }) {
  if (row.isPrincipal) return <span class="badge leader">{t.cadre.isPrincipal}</span>;
  if (row.isLeader) return <span class="badge leader">{t.cadre.isLeader}</span>;
  return <span class="muted">—</span>;
}

function Results(props: { t: Dictionary; rows: CadreRow[]; total: number; f: CadreFilters; today: Date; oob?: boolean }) {
  const { t, f } = props;
  const params = filterParams(f);
  const sortLink = (key: (typeof CADRE_SORTS)[number], label: string) => {
    const dir = f.sort === key && f.dir === 'asc' ? 'desc' : 'asc';
    const href = withQuery('/cadres', params, { sort: key === 'unit' ? undefined : key, dir: dir === 'asc' ? undefined : dir, page: undefined });
    const mark = f.sort === key ? (f.dir === 'asc' ? ' ↑' : ' ↓') : '';
    return (
      <a href={href} hx-get={href} hx-target="#results" hx-push-url="true" aria-sort={f.sort === key ? (f.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
        {label}
        {mark}
      </a>
    );
  };
  return (
    <div id="results-inner">
      <div class="table-wrap">
        <table class="table" id="cadre-table">
          <thead>
            <tr>
              <th>{sortLink('name', props.t.cadre.name)}</th>
              <th>{t.cadre.gender}</th>
              <th>{sortLink('age', t.cadre.age)}</th>
              <th>{sortLink('unit', t.cadre.unit)}</th>
              <th>{t.cadre.position}</th>
              <th>{sortLink('rank', t.cadre.rank)}</th>
              <th>{t.cadre.team}</th>
              <th>{t.cadre.tags}</th>
              <th>{t.cadre.status}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.length === 0 && (
              <tr>
                <td colspan={9} class="empty">{t.common.empty}</td>
              </tr>
            )}
            {props.rows.map((r) => (
              <tr>
                <td>
                  <a href={`/cadres/${r.id}`} class="cadre-link">{r.name}</a>
                </td>
                <td>{r.gender === 'male' ? t.cadre.male : t.cadre.female}</td>
                <td class="num">{ageOn(r.birthDate, props.today)}</td>
                <td>{r.unitName}</td>
                <td>{r.position}</td>
                <td>{r.rank}</td>
                <td><TeamBadge row={r} t={t} /></td>
                <td>
                  <span class="tags">{r.tags.map((tag) => <span class="badge">{tag}</span>)}</span>
                </td>
                <td>
                  <span class={`badge ${r.status === 'active' ? 'ok' : 'warn'}`}>{t.cadre.statusName[r.status]}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager t={t} path="/cadres" params={params} page={f.page} total={props.total} pageSize={PAGE_SIZE} target="#results" />
      {props.oob && (
        <a id="export-link" hx-swap-oob="true" class="button" href={withQuery('/cadres/export.xlsx', params)} download>
          {t.cadre.export}
        </a>
      )}
    </div>
  );
}

export function cadresRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = panelApp(deps, { allow: canSeeProfiles });

  app.get('/', async (c) => {
    const dict = t(c);
    const f = parseCadreFilters(c.req.query());
    const today = deps.clock.now();
    const { rows, total } = await listCadres(deps.db, c.var.scope, f, today);
    if (isPartial(c)) {
      return renderFragment(c, <Results t={dict} rows={rows} total={total} f={f} today={today} oob />);
    }
    const [units, facets] = await Promise.all([unitOptions(deps.db, c.var.scope), cadreFacets(deps.db, c.var.scope)]);
    const params = filterParams(f);
    return renderPage(
      c,
      deps,
      dict.cadre.title,
      <>
        <div class="page-head">
          <h1>{dict.cadre.title}</h1>
          <div class="actions">
            <a id="export-link" class="button" href={withQuery('/cadres/export.xlsx', params)} download>
              {dict.cadre.export}
            </a>
            <button type="button" class="button" data-print>{dict.common.print}</button>
          </div>
        </div>
        <form id="filters" class="card" method="get" action="/cadres" hx-get="/cadres" hx-trigger="change, submit" hx-target="#results" hx-push-url="true" hx-sync="this:replace" role="search">
          <div class="filters">
            <Field label={dict.common.search} class="search-field">
              <span class="search-wrap">
                <input
                  type="search"
                  name="q"
                  value={f.q ?? ''}
                  placeholder={dict.cadre.searchPlaceholder}
                  autocomplete="off"
                  hx-get="/cadres"
                  hx-include="closest form"
                  hx-trigger="input changed delay:250ms, search"
                  hx-target="#results"
                  hx-push-url="true"
                  hx-sync="closest form:replace"
                  hx-indicator="#filters"
                />
              </span>
            </Field>
            <Field label={dict.cadre.unit}>
              <select name="unit">
                <Options blank={dict.common.all} selected={f.unit} options={units.map((u) => [u.id, `${'　'.repeat(u.depth)}${u.name}`])} />
              </select>
            </Field>
            <Field label={dict.cadre.rank}>
              <select name="rank">
                <Options blank={dict.common.all} selected={f.rank} options={facets.ranks.map((r) => [r, r])} />
              </select>
            </Field>
            <Field label={dict.cadre.age}>
              <select name="age">
                <Options blank={dict.common.all} selected={f.age} options={AGE_BANDS.map((b) => [b, dict.cadre.ageBand[b]!])} />
              </select>
            </Field>
            <Field label={dict.cadre.team}>
              <select name="team">
                <Options blank={dict.common.all} selected={f.team} options={LEADERSHIP.map((v) => [v, { principal: dict.cadre.isPrincipal, leader: dict.cadre.isLeader, staff: dict.cadre.staff }[v]])} />
              </select>
            </Field>
            <Field label={dict.cadre.tags}>
              <select name="tag">
                <Options blank={dict.common.all} selected={f.tag} options={facets.tags.map((v) => [v, v])} />
              </select>
            </Field>
            <Field label={dict.cadre.status}>
              <select name="status">
                <Options blank={dict.common.all} selected={f.status} options={cadreStatus.enumValues.map((v) => [v, dict.cadre.statusName[v]!])} />
              </select>
            </Field>
          </div>
          <div class="filters-foot">
            <Field label={dict.cadre.sort}>
              <select name="sort">
                <Options selected={f.sort} options={CADRE_SORTS.map((s) => [s, dict.cadre.sortBy[s]!])} />
              </select>
            </Field>
            <Field label={'\u00a0'}>
              <select name="dir" aria-label={dict.cadre.sort}>
                <Options selected={f.dir} options={[['asc', dict.cadre.asc], ['desc', dict.cadre.desc]]} />
              </select>
            </Field>
            <span class="spacer"></span>
            <span class="htmx-indicator muted">{dict.common.loading}</span>
            <a class="button" href="/cadres">{dict.common.reset}</a>
            <button type="submit" class="button primary">{dict.common.filter}</button>
          </div>
        </form>
        <div id="results">
          <Results t={dict} rows={rows} total={total} f={f} today={today} />
        </div>
      </>,
    );
  });

  app.get('/export.xlsx', async (c) => {
    const dict = t(c);
    const f = parseCadreFilters(c.req.query());
    const today = deps.clock.now();
    const rows = await allCadres(deps.db, c.var.scope, f, today);
    const book = new ExcelJS.Workbook();
    book.created = today;
    const sheet = book.addWorksheet(dict.cadre.title);
    const d = dict.cadre;
    sheet.columns = [
      { header: d.name, key: 'name', width: 10 },
      { header: d.gender, key: 'gender', width: 6 },
      { header: d.birthDate, key: 'birthDate', width: 12 },
      { header: d.age, key: 'age', width: 6 },
      { header: d.unit, key: 'unit', width: 20 },
      { header: d.position, key: 'position', width: 20 },
      { header: d.rank, key: 'rank', width: 14 },
      { header: d.team, key: 'team', width: 10 },
      { header: d.education, key: 'education', width: 12 },
      { header: d.field, key: 'field', width: 12 },
      { header: d.tags, key: 'tags', width: 24 },
      { header: d.partyMember, key: 'party', width: 8 },
      { header: d.employeeNo, key: 'employeeNo', width: 10 },
      { header: d.status, key: 'status', width: 8 },
    ];
    sheet.getRow(1).font = { bold: true };
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
    for (const r of rows) {
      sheet.addRow({
        name: r.name,
        gender: r.gender === 'male' ? d.male : d.female,
        birthDate: r.birthDate,
        age: ageOn(r.birthDate, today),
        unit: r.unitName,
        position: r.position,
        rank: r.rank,
        team: r.isPrincipal ? d.isPrincipal : r.isLeader ? d.isLeader : '',
        education: r.education ?? '',
        field: r.field ?? '',
        tags: r.tags.join(dict.common.listJoin),
        party: r.isPartyMember ? dict.common.yes : dict.common.no,
        employeeNo: r.employeeNo ?? '',
        status: d.statusName[r.status],
      });
    }
    const stamp = today.toISOString().slice(0, 10);
    const download = await xlsxResponse(c, { name: `干部名册-${stamp}.xlsx`, fallback: `cadres-${stamp}.xlsx` }, book);
    await audit(deps.db, {
      actorId: c.var.user.id,
      action: 'export',
      entity: 'cadre',
      diff: { filters: filterParams(f), rows: rows.length },
      ip: clientIp(c, deps.trustProxy),
    });
    return download;
  });

  app.route('/', cadreRoutes(deps));
  return app;
}
