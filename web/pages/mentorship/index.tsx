/**
 * @module
 * The mentorship pages under /mentorship: the pairs list (filters in the URL, server-side pages,
 * an export of exactly the filtered list), the create and edit form, and a pair's page.
 * Everything reads through the user's scope: a unit admin sees the pairs touching their units.
 */
import { canManagePairs, canSeeProfiles } from '../../../core/roles.ts';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import ExcelJS from 'exceljs';
import { audit } from '../../../core/audit.ts';
import { cadreChoices } from '../../../core/mentorship/choices.ts';
import { viewPair, type PairDetail } from '../../../core/mentorship/detail.ts';
import { CADENCES, HEALTHS } from '../../../core/mentorship/due.ts';
import { filterPairs, pageOf, PAIR_SORTS, PAIRS_PAGE_SIZE, parsePairFilters, type PairFilters } from '../../../core/mentorship/list.ts';
import { createPair, pairInput, PAIR_STATUSES, pairVisible, updatePair } from '../../../core/mentorship/pairs.ts';
import { pairSummaries, type PairSummary } from '../../../core/mentorship/summaries.ts';
import { inScope, unitAndDescendants } from '../../../core/org/scope.ts';
import { unitOptions } from '../../../core/org/units.ts';
import { toId } from '../../../core/ids.ts';
import { loadWorkCalendar } from '../../../core/reminders/store.ts';
import { localDay } from '../../../core/reminders/time.ts';
import { requireRole, requireUser } from '../../auth.ts';
import { clientIp, isPartial, requestContext, t, type PanelContext, type PanelDeps, type PanelEnv } from '../../context.ts';
import { errorPage, renderFragment, renderPage } from '../../render.tsx';
import { Field, Options, Pager, withQuery } from '../../components/ui.tsx';
import { importPairs, type ImportIssue } from '../../../core/mentorship/import.ts';
import { inputOfValues, PairForm, valuesOfBody, type PairFormValues } from './form.tsx';
import { mentorshipText, type MentorshipText } from './text.ts';

const names = (ms: PairSummary['mentors']) => ms.map((x) => x.name).join('、');

function params(f: PairFilters): Record<string, unknown> {
  const { page: _page, ...rest } = f;
  return { ...rest, sort: f.sort === 'next_due' ? undefined : f.sort };
}

function HealthBadge({ m, health }: { m: MentorshipText; health: PairSummary['health'] }) {
  const tone = health === 'on_track' ? 'ok' : health === 'overdue' ? 'danger' : 'warn';
  return <span class={`badge ${tone}`} data-health={health}>{m.healthName[health]}</span>;
}

function Results(props: { m: MentorshipText; empty: string; t: ReturnType<typeof t>; rows: PairSummary[]; total: number; f: PairFilters; oob?: boolean }) {
  const { m, f } = props;
  return (
    <div id="results-inner">
      <div class="table-wrap">
        <table class="table" id="pair-table">
          <thead>
            <tr>
              <th>{m.mentors}</th>
              <th>{m.mentees}</th>
              <th>{m.unit}</th>
              <th>{m.cadence}</th>
              <th>{m.lastCheckin}</th>
              <th>{m.meetings}</th>
              <th>{m.nextDue}</th>
              <th>{m.health}</th>
              <th>{m.status}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.length === 0 && (
              <tr><td colspan={9} class="empty">{props.empty}</td></tr>
            )}
            {props.rows.map((p) => (
              <tr data-pair={String(p.id)}>
                <td><a href={`/mentorship/${p.id}`}>{names(p.mentors)}</a></td>
                <td>{names(p.mentees)}</td>
                <td>{p.unitName}</td>
                <td>{m.cadenceName[p.cadence]}</td>
                <td>{p.lastConfirmedOn ?? m.none}</td>
                <td class="num">{p.confirmedCount}</td>
                <td>{p.nextDue ?? m.none}</td>
                <td><HealthBadge m={m} health={p.health} /></td>
                <td>{m.statusName[p.status]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager t={props.t} path="/mentorship" params={params(f)} page={f.page} total={props.total} pageSize={PAIRS_PAGE_SIZE} target="#results" />
      {props.oob && (
        <a id="export-link" hx-swap-oob="true" class="button" href={withQuery('/mentorship/export.xlsx', params(f))} download>{m.export}</a>
      )}
    </div>
  );
}

function PairPage({ m, d, canEdit }: { m: MentorshipText; d: PairDetail; canEdit: boolean }) {
  const p = d.summary;
  return (
    <>
      <div class="page-head">
        <h1>{names(p.mentors)} → {names(p.mentees)}</h1>
        <div class="actions">
          <a class="button" href="/mentorship">{m.title}</a>
          {canEdit && <a class="button primary" href={`/mentorship/${p.id}/edit`}>{m.editPair}</a>}
        </div>
      </div>
      <section class="card">
        <dl class="facts">
          <dt>{m.shape}</dt><dd>{m.shapeName[p.shape]}</dd>
          <dt>{m.unit}</dt><dd>{p.unitName}</dd>
          <dt>{m.period}</dt><dd>{p.startsOn} – {p.endsOn ?? m.none}</dd>
          <dt>{m.cadence}</dt><dd>{m.cadenceName[p.cadence]}</dd>
          <dt>{m.status}</dt><dd>{m.statusName[p.status]}{p.pauseReason ? `（${p.pauseReason}）` : ''}</dd>
          <dt>{m.lastCheckin}</dt><dd>{p.lastConfirmedOn ?? m.none}</dd>
          <dt>{m.nextDue}</dt><dd>{p.nextDue ?? m.none}</dd>
          <dt>{m.health}</dt><dd><HealthBadge m={m} health={p.health} /></dd>
        </dl>
      </section>
      <section class="card" id="goals">
        <h2>{m.goals}</h2>
        {d.goals.length === 0 ? <p class="muted">{m.noGoals}</p> : (
          <ul>
            {d.goals.map((g) => (
              <li>
                <strong>{g.title}</strong> <span class="badge">{m.goalStatus[g.status]}</span>
                {g.levels.length > 0 && <span class="muted"> {g.levels.map((l) => `${l.metOn}: ${l.level}/4`).join(' · ')}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" id="checkins">
        <h2>{m.timeline}</h2>
        {d.checkins.length === 0 ? <p class="muted">{m.noCheckins}</p> : (
          <ol class="timeline">
            {d.checkins.map((c) => (
              <li data-checkin-status={c.status}>
                <time datetime={c.metOn}>{c.metOn}</time>
                <strong>{c.mentorName} · {m.formName[c.form]}</strong> <span class="badge">{m.checkinStatus[c.status]}</span>
                <div>{m.topics}: {c.topics}</div>
                {c.nextStep && <div class="muted">{m.nextStep}: {c.nextStep}</div>}
                {c.menteeNote && <div class="muted">{m.menteeNote}: {c.menteeNote}</div>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}

export function mentorshipRoutes(deps: PanelDeps & { timeZone: string }): Hono<PanelEnv> {
  const app = new Hono<PanelEnv>();
  app.onError(errorPage(deps));
  app.use('*', requireUser(deps), requireRole(canSeeProfiles));
  const editors = requireRole(canManagePairs);
  const notFound = (c: PanelContext) => new HTTPException(404, { message: t(c).common.notFound });
  const today = () => localDay(deps.clock.now(), deps.timeZone);

  async function filtered(c: PanelContext, f: PairFilters): Promise<PairSummary[]> {
    const all = await pairSummaries(deps.db, c.var.scope, { today: today(), calendar: await loadWorkCalendar(deps.db), timeZone: deps.timeZone });
    const units = f.unit && inScope(c.var.scope, f.unit) ? new Set(await unitAndDescendants(deps.db, f.unit)) : undefined;
    return filterPairs(all, f, units);
  }

  app.get('/', async (c) => {
    const m = mentorshipText(c);
    const dict = t(c);
    const f = parsePairFilters(c.req.query());
    const rows = await filtered(c, f);
    const results = <Results m={m} t={dict} empty={dict.common.empty} rows={pageOf(rows, f.page)} total={rows.length} f={f} oob={isPartial(c)} />;
    if (isPartial(c)) return renderFragment(c, results);
    const units = await unitOptions(deps.db, c.var.scope);
    const canEdit = canManagePairs(c.var.user);
    return renderPage(
      c,
      deps,
      m.title,
      <>
        <div class="page-head">
          <h1>{m.title}</h1>
          <div class="actions">
            <a id="export-link" class="button" href={withQuery('/mentorship/export.xlsx', params(f))} download>{m.export}</a>
            {canEdit && <a class="button" href="/mentorship/import">{m.import}</a>}
            {canEdit && <a class="button primary" href="/mentorship/new">{m.newPair}</a>}
          </div>
        </div>
        {toId(c.req.query('imported')) && <p class="alert alert-ok" role="status">{m.imported(toId(c.req.query('imported'))!)}</p>}
        <form id="filters" class="card" method="get" action="/mentorship" hx-get="/mentorship" hx-trigger="change, submit" hx-target="#results" hx-push-url="true" hx-sync="this:replace" role="search">
          <div class="filters">
            <Field label={dict.common.search}><input type="search" name="q" value={f.q ?? ''} placeholder={m.search} autocomplete="off" /></Field>
            <Field label={m.unit}>
              <select name="unit"><Options blank={dict.common.all} selected={f.unit} options={units.map((u) => [u.id, `${'　'.repeat(u.depth)}${u.name}`])} /></select>
            </Field>
            <Field label={m.cadence}>
              <select name="cadence"><Options blank={dict.common.all} selected={f.cadence} options={CADENCES.map((x) => [x, m.cadenceName[x]!])} /></select>
            </Field>
            <Field label={m.status}>
              <select name="status"><Options blank={dict.common.all} selected={f.status} options={PAIR_STATUSES.map((x) => [x, m.statusName[x]!])} /></select>
            </Field>
            <Field label={m.health}>
              <select name="health"><Options blank={dict.common.all} selected={f.health} options={HEALTHS.map((x) => [x, m.healthName[x]!])} /></select>
            </Field>
            <Field label={m.sort}>
              <select name="sort"><Options selected={f.sort} options={PAIR_SORTS.map((x) => [x, m.sortName[x]!])} /></select>
            </Field>
          </div>
          <div class="filters-foot">
            <span class="spacer"></span>
            <a class="button" href="/mentorship">{dict.common.reset}</a>
            <button type="submit" class="button primary">{dict.common.filter}</button>
          </div>
        </form>
        <div id="results">{results}</div>
      </>,
    );
  });

  app.get('/export.xlsx', async (c) => {
    const m = mentorshipText(c);
    const f = parsePairFilters(c.req.query());
    const rows = await filtered(c, f);
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet(m.title);
    sheet.columns = [
      { header: m.mentors, key: 'mentors', width: 16 },
      { header: m.mentees, key: 'mentees', width: 16 },
      { header: m.unit, key: 'unit', width: 20 },
      { header: m.shape, key: 'shape', width: 12 },
      { header: m.cadence, key: 'cadence', width: 10 },
      { header: m.startsOn, key: 'startsOn', width: 12 },
      { header: m.endsOn, key: 'endsOn', width: 12 },
      { header: m.lastCheckin, key: 'last', width: 14 },
      { header: m.meetings, key: 'meetings', width: 10 },
      { header: m.nextDue, key: 'nextDue', width: 14 },
      { header: m.health, key: 'health', width: 10 },
      { header: m.status, key: 'status', width: 10 },
    ];
    sheet.getRow(1).font = { bold: true };
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
    for (const p of rows) {
      sheet.addRow({
        mentors: names(p.mentors),
        mentees: names(p.mentees),
        unit: p.unitName,
        shape: m.shapeName[p.shape],
        cadence: m.cadenceName[p.cadence],
        startsOn: p.startsOn,
        endsOn: p.endsOn ?? '',
        last: p.lastConfirmedOn ?? '',
        meetings: p.confirmedCount,
        nextDue: p.nextDue ?? '',
        health: m.healthName[p.health],
        status: m.statusName[p.status],
      });
    }
    const buffer = await book.xlsx.writeBuffer();
    await audit(deps.db, { actorId: c.var.user.id, action: 'export', entity: 'mentorship_pair', diff: { filters: params(f), rows: rows.length }, ip: clientIp(c, deps.trustProxy) });
    const stamp = today();
    c.header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    c.header('Content-Disposition', `attachment; filename="mentorship-${stamp}.xlsx"; filename*=UTF-8''${encodeURIComponent(`师徒结对-${stamp}.xlsx`)}`);
    c.header('Cache-Control', 'no-store');
    return c.body(new Uint8Array(buffer as ArrayBuffer));
  });

  const blank: PairFormValues = { mentorIds: [], menteeIds: [], startsOn: '', endsOn: '', cadence: 'monthly', status: 'active', pauseReason: '', goals: [] };

  async function formPage(c: PanelContext, o: { title: string; action: string; cancel: string; values: PairFormValues; errors?: Record<string, string>; keep?: number[] }, status: 200 | 422 = 200) {
    const m = mentorshipText(c);
    const choices = await cadreChoices(deps.db, c.var.scope, o.keep);
    return renderPage(c, deps, o.title, <>
      <div class="page-head"><h1>{o.title}</h1></div>
      <PairForm m={m} action={o.action} cancel={o.cancel} values={o.values} errors={o.errors} choices={choices} />
    </>, status);
  }

  app.get('/new', editors, (c) => formPage(c, { title: mentorshipText(c).newPair, action: '/mentorship', cancel: '/mentorship', values: { ...blank, startsOn: today() } }));

  app.post('/', editors, async (c) => {
    const values = valuesOfBody(await c.req.parseBody({ all: true }));
    const result = await createPair(deps.db, requestContext(c, deps), inputOfValues(values), today());
    if (!result.ok && 'notFound' in result) throw notFound(c);
    if (!result.ok) return formPage(c, { title: mentorshipText(c).newPair, action: '/mentorship', cancel: '/mentorship', values, errors: result.errors }, 422);
    return c.redirect(`/mentorship/${result.id}`, 303);
  });

  function importPage(c: PanelContext, o: { issues?: ImportIssue[]; fileError?: boolean } = {}, status: 200 | 422 = 200) {
    const m = mentorshipText(c);
    return renderPage(c, deps, m.import, <>
      <div class="page-head"><h1>{m.import}</h1></div>
      {o.fileError && <p class="alert alert-error" role="alert">{m.importFileError}</p>}
      {o.issues && (
        <div class="alert alert-error" role="alert" id="import-issues">
          <p>{m.importFailed}</p>
          <ul>{o.issues.map((i) => <li>{m.importLine(i.line, m.fieldName[i.field] ?? i.field, m.errors[i.code] ?? m.errors.invalid!)}</li>)}</ul>
        </div>
      )}
      <form class="card form" method="post" action="/mentorship/import" enctype="multipart/form-data">
        <p class="muted">{m.importHint}</p>
        <Field label={m.importFile}><input type="file" name="file" accept=".xlsx,.csv" required /></Field>
        <div class="actions">
          <a class="button" href="/mentorship">{m.cancel}</a>
          <button type="submit" class="button primary">{m.importSubmit}</button>
        </div>
      </form>
    </>, status);
  }

  app.get('/import', editors, (c) => importPage(c));

  app.post('/import', editors, async (c) => {
    const file = (await c.req.parseBody()).file;
    if (!(file instanceof File)) return importPage(c, { fileError: true }, 422);
    const result = await importPairs(deps.db, requestContext(c, deps), { bytes: new Uint8Array(await file.arrayBuffer()), name: file.name }, today());
    if (!result.ok) return 'issues' in result ? importPage(c, { issues: result.issues }, 422) : importPage(c, { fileError: true }, 422);
    return c.redirect(`/mentorship?imported=${result.created}`, 303);
  });

  app.get('/:id{[0-9]+}', async (c) => {
    const id = toId(c.req.param('id'));
    const d = id && (await viewPair(deps.db, requestContext(c, deps), id, { today: today(), calendar: await loadWorkCalendar(deps.db), timeZone: deps.timeZone }));
    if (!d) throw notFound(c);
    return renderPage(c, deps, mentorshipText(c).pair, <PairPage m={mentorshipText(c)} d={d} canEdit={canManagePairs(c.var.user)} />);
  });

  app.get('/:id{[0-9]+}/edit', editors, async (c) => {
    const id = toId(c.req.param('id'));
    if (!id || !(await pairVisible(deps.db, c.var.scope, id))) throw notFound(c);
    const input = (await pairInput(deps.db, id))!;
    const values: PairFormValues = {
      mentorIds: input.mentorIds.map(String),
      menteeIds: input.menteeIds.map(String),
      startsOn: input.startsOn,
      endsOn: input.endsOn ?? '',
      cadence: input.cadence,
      status: input.status,
      pauseReason: input.pauseReason ?? '',
      goals: input.goals,
    };
    return formPage(c, { title: mentorshipText(c).editPair, action: `/mentorship/${id}`, cancel: `/mentorship/${id}`, values, keep: [...input.mentorIds, ...input.menteeIds] });
  });

  app.post('/:id{[0-9]+}', editors, async (c) => {
    const id = toId(c.req.param('id'));
    if (!id) throw notFound(c);
    const values = valuesOfBody(await c.req.parseBody({ all: true }));
    const result = await updatePair(deps.db, requestContext(c, deps), id, inputOfValues(values), today());
    if (!result.ok && 'notFound' in result) throw notFound(c);
    if (!result.ok) {
      const before = await pairInput(deps.db, id);
      return formPage(c, { title: mentorshipText(c).editPair, action: `/mentorship/${id}`, cancel: `/mentorship/${id}`, values, errors: result.errors, keep: before ? [...before.mentorIds, ...before.menteeIds] : [] }, 422);
    }
    return c.redirect(`/mentorship/${id}`, 303);
  });

  return app;
}
