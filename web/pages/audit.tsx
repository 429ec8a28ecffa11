/**
 * @module
 * The audit log page: every change, export, sign-in and profile view, filtered by actor,
 * entity, action and dates. Read-only: Miaopu has no way to edit or delete audit rows.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { asc } from 'drizzle-orm';
import { panelUsers } from '../../db/schema/users.ts';
import { idSchema } from '../../core/ids.ts';
import { AUDIT_PAGE_SIZE, auditFacets, listAudit, type AuditFilters, type AuditListRow } from '../../core/audit.ts';
import { isPartial, t, type PanelDeps, type PanelEnv } from '../context.ts';
import type { Dictionary } from '../i18n.ts';
import { renderFragment, renderPage } from '../render.tsx';
import { Field, formatTime, Options, Pager } from '../components/ui.tsx';
import { isDay } from '../../core/dates.ts';
import { filterText } from '../../core/validation.ts';
import { isDistrictAdmin } from '../../core/roles.ts';
import { panelApp } from '../panel-app.ts';

/** A real calendar day: `2026-02-30` is refused (with a message), not read as 2 March. */
const day = z.string().refine(isDay).optional().catch(undefined);
const filterSchema = z.object({
  actor: idSchema().optional().catch(undefined),
  entity: filterText(40),
  action: filterText(40),
  from: day,
  to: day,
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
});

function describeDiff(diff: unknown): string {
  if (diff == null) return '';
  const text = JSON.stringify(diff);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function Rows(props: { t: Dictionary; rows: AuditListRow[]; total: number; f: AuditFilters; params: Record<string, unknown> }) {
  const { t } = props;
  return (
    <div>
      <div class="table-wrap">
        <table class="table" id="audit-table">
          <thead>
            <tr>
              <th>{t.audit.at}</th>
              <th>{t.audit.actor}</th>
              <th>{t.audit.action}</th>
              <th>{t.audit.entity}</th>
              <th>{t.audit.entityId}</th>
              <th>{t.audit.diff}</th>
              <th>{t.audit.ip}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.length === 0 && <tr><td colspan={7} class="empty">{t.common.empty}</td></tr>}
            {props.rows.map((r) => (
              <tr>
                <td class="mono">{formatTime(r.at)}</td>
                <td>{r.actorName ?? <span class="muted">{t.audit.system}</span>}</td>
                <td><span class="badge">{t.audit.actionName[r.action] ?? r.action}</span></td>
                <td>{t.audit.entityName[r.entity] ?? r.entity}</td>
                <td>{r.entity === 'cadre' && r.entityId ? <a href={`/cadres/${r.entityId}`}>{r.entityId}</a> : r.entityId}</td>
                <td class="wrap"><code class="diff">{describeDiff(r.diff)}</code></td>
                <td class="mono">{r.ip}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager t={t} path="/audit" params={props.params} page={props.f.page} total={props.total} pageSize={AUDIT_PAGE_SIZE} target="#audit-results" />
    </div>
  );
}

export function auditRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = panelApp(deps, { allow: isDistrictAdmin });
  app.get('/', async (c) => {
    const dict = t(c);
    const raw = Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== ''));
    const q = filterSchema.parse(raw);
    const f: AuditFilters = { actorId: q.actor, entity: q.entity, action: q.action, from: q.from, to: q.to, page: q.page };
    const params = { actor: q.actor, entity: q.entity, action: q.action, from: q.from, to: q.to };
    // A date that does not exist is refused, not dropped: the list would silently be another one.
    const badDate = { from: raw.from !== undefined && !q.from, to: raw.to !== undefined && !q.to };
    const refused = badDate.from || badDate.to;
    const { rows, total } = refused ? { rows: [], total: 0 } : await listAudit(deps.db, f);
    const body = refused ? <p class="alert alert-error" role="alert">{dict.errors.bad_date}</p> : <Rows t={dict} rows={rows} total={total} f={f} params={params} />;
    const status = refused ? 422 : 200;
    if (isPartial(c)) return renderFragment(c, body, status);
    const [facets, users] = await Promise.all([
      auditFacets(deps.db),
      deps.db.select({ id: panelUsers.id, name: panelUsers.displayName, username: panelUsers.username }).from(panelUsers).orderBy(asc(panelUsers.username)),
    ]);
    return renderPage(
      c,
      deps,
      dict.audit.title,
      <>
        <div class="page-head">
          <h1>{dict.audit.title}</h1>
        </div>
        <p class="alert alert-info">{dict.audit.readonly}</p>
        <form class="card" method="get" action="/audit" hx-get="/audit" hx-trigger="change, submit" hx-target="#audit-results" hx-push-url="true" hx-sync="this:replace">
          <div class="filters">
            <Field label={dict.audit.actor}>
              <select name="actor"><Options blank={dict.common.all} selected={q.actor} options={users.map((u) => [u.id, dict.common.withNote(u.name, u.username)])} /></select>
            </Field>
            <Field label={dict.audit.entity}>
              <select name="entity"><Options blank={dict.common.all} selected={q.entity} options={facets.entities.map((e) => [e, dict.audit.entityName[e] ?? e])} /></select>
            </Field>
            <Field label={dict.audit.action}>
              <select name="action"><Options blank={dict.common.all} selected={q.action} options={facets.actions.map((a) => [a, dict.audit.actionName[a] ?? a])} /></select>
            </Field>
            <Field label={dict.audit.from} error={badDate.from ? dict.errors.bad_date : undefined}><input type="date" name="from" value={q.from ?? ''} /></Field>
            <Field label={dict.audit.to} error={badDate.to ? dict.errors.bad_date : undefined}><input type="date" name="to" value={q.to ?? ''} /></Field>
          </div>
          <div class="filters-foot">
            <span class="spacer"></span>
            <a class="button" href="/audit">{dict.common.reset}</a>
            <button type="submit" class="button primary">{dict.common.filter}</button>
          </div>
        </form>
        <div id="audit-results">{body}</div>
      </>,
      status,
    );
  });
  return app;
}
