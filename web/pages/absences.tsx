/**
 * @module
 * Absences (请假、外出培训、异地挂职) on the cadre profile: the list, and for admins of the cadre's
 * scope an add form and remove buttons. The core functions scope and audit; a cadre or an
 * absence outside the user's scope is a 404.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ABSENCE_KINDS, absencesOf, addAbsence, removeAbsence, type AbsenceInput, type AbsenceIssue } from '../../core/reminders/store.ts';
import { requireRole } from '../auth.ts';
import { requestContext, t, type PanelContext, type PanelDeps, type PanelEnv } from '../context.ts';
import type { Dictionary } from '../i18n.ts';
import { renderFragment, renderPage } from '../render.tsx';
import { Field, Options } from '../components/ui.tsx';
import { canEditCadres } from '../../core/roles.ts';
import { redirect } from '../redirect.ts';
import { Form } from '../components/form.tsx';

export type AbsenceRow = Awaited<ReturnType<typeof absencesOf>>[number];
type Notice = { kind: 'ok' | 'error'; text: string };

/** The form field an issue belongs to. */
function fieldOf(issue: AbsenceIssue): string {
  if (issue.code === 'absence.day') return issue.field;
  if (issue.code === 'absence.order' || issue.code === 'absence.tooLong') return 'endsOn';
  return issue.code === 'absence.kind' ? 'kind' : 'note';
}

export function AbsencesSection(props: { t: Dictionary; cadreId: number; absences: AbsenceRow[]; canEdit: boolean; notice?: Notice; issues?: AbsenceIssue[]; draft?: Record<string, string> }) {
  const { t, cadreId } = props;
  const draft = props.draft ?? {};
  const err = (field: string) => {
    const issue = props.issues?.find((i) => fieldOf(i) === field);
    return issue ? t.absence.issue[issue.code] : undefined;
  };
  const kinds = ABSENCE_KINDS.map((k): [string, string] => [k, t.absence.kindName[k]!]);
  return (
    <section class="card" id="absences">
      <h2>{t.absence.title}</h2>
      <p class="muted">{t.absence.intro}</p>
      {props.notice && <p class={`alert ${props.notice.kind === 'ok' ? 'alert-ok' : 'alert-error'}`} role="status">{props.notice.text}</p>}
      {props.issues && <p class="alert alert-error" role="alert">{t.common.errorsBelow}</p>}
      {props.canEdit && (
        <Form class="absence-form" action={`/cadres/${cadreId}/absences`} target="#absences" novalidate>
          <Field label={t.absence.startsOn} error={err('startsOn')}><input type="date" name="startsOn" value={draft.startsOn ?? ''} required /></Field>
          <Field label={t.absence.endsOn} error={err('endsOn')}><input type="date" name="endsOn" value={draft.endsOn ?? ''} required /></Field>
          <Field label={t.absence.kind} error={err('kind')}><select name="kind"><Options options={kinds} selected={draft.kind ?? 'leave'} /></select></Field>
          <Field label={t.absence.note} error={err('note')} class="wide"><input name="note" value={draft.note ?? ''} maxlength={200} /></Field>
          <button type="submit" class="button primary">{t.absence.add}</button>
        </Form>
      )}
      {props.absences.length === 0 ? (
        <p class="muted">{t.absence.empty}</p>
      ) : (
        <div class="table-wrap">
          <table class="table" id="absence-table">
            <thead>
              <tr>
                <th>{t.absence.startsOn}</th>
                <th>{t.absence.endsOn}</th>
                <th>{t.absence.kind}</th>
                <th>{t.absence.note}</th>
                <th>{t.absence.enteredBy}</th>
                {props.canEdit && <th>{t.common.actions}</th>}
              </tr>
            </thead>
            <tbody>
              {props.absences.map((a) => (
                <tr>
                  <td class="mono">{a.startsOn}</td>
                  <td class="mono">{a.endsOn}</td>
                  <td><span class="badge">{t.absence.kindName[a.kind]}</span></td>
                  <td class="wrap">{a.note ?? ''}</td>
                  <td>{a.createdByName ?? <span class="muted">—</span>}</td>
                  {props.canEdit && (
                    <td>
                      <Form class="inline-form" action={`/cadres/${cadreId}/absences/${a.id}/delete`} target="#absences">
                        <button type="submit" class="button small danger" data-confirm={t.absence.confirmRemove(a.startsOn, a.endsOn)}>{t.absence.remove}</button>
                      </Form>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** POST /:id/absences and /:id/absences/:absenceId/delete, mounted beside the profile. */
export function absenceRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = new Hono<PanelEnv>();
  app.use('/:id{[0-9]+}/absences/*', requireRole(canEditCadres));
  app.use('/:id{[0-9]+}/absences', requireRole(canEditCadres));
  const notFound = (c: PanelContext) => new HTTPException(404, { message: t(c).common.notFound });
  const section = async (c: PanelContext, cadreId: number, props: { notice?: Notice; issues?: AbsenceIssue[]; draft?: Record<string, string> }, status: 200 | 422 = 200) => {
    const absences = await absencesOf(deps.db, c.var.scope, cadreId);
    const html = <AbsencesSection t={t(c)} cadreId={cadreId} absences={absences} canEdit {...props} />;
    if (c.req.header('HX-Request')) return renderFragment(c, html, status);
    // Without htmx the form posts as a page: back to the profile, or the form with its errors.
    return status === 200 ? redirect(c, `/cadres/${cadreId}#absences`) : renderPage(c, deps, t(c).absence.title, html, status);
  };

  app.post('/:id{[0-9]+}/absences', async (c) => {
    const cadreId = Number(c.req.param('id'));
    const form = await c.req.parseBody();
    const draft = Object.fromEntries(['startsOn', 'endsOn', 'kind', 'note'].map((k) => [k, typeof form[k] === 'string' ? (form[k] as string).trim() : '']));
    const input: AbsenceInput = { cadreId, startsOn: draft.startsOn!, endsOn: draft.endsOn!, kind: draft.kind as AbsenceInput['kind'], note: draft.note };
    const result = await addAbsence(deps.db, requestContext(c, deps), input);
    if (!result) throw notFound(c);
    if ('issues' in result) return section(c, cadreId, { issues: result.issues, draft }, 422);
    return section(c, cadreId, { notice: { kind: 'ok', text: t(c).absence.added } });
  });

  app.post('/:id{[0-9]+}/absences/:absenceId{[0-9]+}/delete', async (c) => {
    const cadreId = Number(c.req.param('id'));
    const absenceId = Number(c.req.param('absenceId'));
    // The absence must be this cadre's, so a URL cannot reach another cadre's through one in scope.
    const own = (await absencesOf(deps.db, c.var.scope, cadreId)).some((a) => a.id === absenceId);
    if (!own || !(await removeAbsence(deps.db, requestContext(c, deps), absenceId))) throw notFound(c);
    return section(c, cadreId, { notice: { kind: 'ok', text: t(c).absence.removed } });
  });

  return app;
}
