/**
 * @module
 * One cadre's profile: the record, the timeline that later features fill, and editing with
 * validation. Opening a profile is audited; a cadre outside the user's scope is a 404.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { cadreStatus } from '../../db/schema/org.ts';
import { updateCadre, viewCadre, type CadreProfile } from '../../core/org/cadres.ts';
import { unitOptions } from '../../core/org/units.ts';
import { cadreTimeline, recordChanges } from '../../core/org/timeline.ts';
import { requireRole } from '../auth.ts';
import { langOf, requestContext, t, type PanelContext, type PanelDeps, type PanelEnv } from '../context.ts';
import { idParam } from '../ids.ts';
import type { Dictionary } from '../i18n.ts';
import { renderFragment, renderPage } from '../render.tsx';
import { ageOn, Field, formatTime, Options } from '../components/ui.tsx';
import { TeamBadge } from './cadres.tsx';
import { absencesOf } from '../../core/reminders/store.ts';
import { AbsencesSection, absenceRoutes, type AbsenceRow } from './absences.tsx';
import { canEditCadres } from '../../core/roles.ts';
import { redirect } from '../redirect.ts';
import { Form } from '../components/form.tsx';

type FormValues = Record<string, string | boolean | undefined>;

function valuesOf(c: CadreProfile): FormValues {
  return {
    name: c.name,
    gender: c.gender,
    birthDate: c.birthDate,
    unitId: String(c.unitId),
    position: c.position,
    rank: c.rank,
    isLeader: c.isLeader,
    isPrincipal: c.isPrincipal,
    education: c.education ?? '',
    field: c.field ?? '',
    tags: c.tags.join('，'),
    isPartyMember: c.isPartyMember,
    employeeNo: c.employeeNo ?? '',
    mobile: c.mobile ?? '',
    status: c.status,
  };
}

function EditForm(props: { t: Dictionary; id: number; values: FormValues; errors?: Record<string, string>; units: Array<{ id: number; name: string; depth: number }> }) {
  const { t, values } = props;
  const err = (k: string) => (props.errors?.[k] ? (t.errors[props.errors[k]!] ?? t.errors.invalid) : undefined);
  const text = (k: string) => String(values[k] ?? '');
  return (
    <Form id="edit-form" class="card" action={`/cadres/${props.id}`} target="this" novalidate>
      <h2>{t.cadre.editTitle}</h2>
      {props.errors && <p class="alert alert-error" role="alert">{t.common.errorsBelow}</p>}
      <div class="form-grid">
        <Field label={t.cadre.name} error={err('name')}><input name="name" value={text('name')} required maxlength={30} /></Field>
        <Field label={t.cadre.gender} error={err('gender')}>
          <select name="gender"><Options selected={text('gender')} options={[['male', t.cadre.male], ['female', t.cadre.female]]} /></select>
        </Field>
        <Field label={t.cadre.birthDate} error={err('birthDate')}><input name="birthDate" value={text('birthDate')} placeholder="1988-05-20" /></Field>
        <Field label={t.cadre.unit} error={err('unitId')}>
          <select name="unitId"><Options selected={text('unitId')} options={props.units.map((u) => [u.id, `${'　'.repeat(u.depth)}${u.name}`])} /></select>
        </Field>
        <Field label={t.cadre.position} error={err('position')}><input name="position" value={text('position')} /></Field>
        <Field label={t.cadre.rank} error={err('rank')}><input name="rank" value={text('rank')} /></Field>
        <Field label={t.cadre.education} error={err('education')}><input name="education" value={text('education')} /></Field>
        <Field label={t.cadre.field} error={err('field')}><input name="field" value={text('field')} /></Field>
        <Field label={t.cadre.tags} error={err('tags')} hint={t.cadre.tagsHint}><input name="tags" value={text('tags')} /></Field>
        <Field label={t.cadre.employeeNo} error={err('employeeNo')}><input name="employeeNo" value={text('employeeNo')} /></Field>
        <Field label={t.cadre.mobile} error={err('mobile')}><input name="mobile" value={text('mobile')} inputmode="numeric" /></Field>
        <Field label={t.cadre.status} error={err('status')}>
          <select name="status"><Options selected={text('status')} options={cadreStatus.enumValues.map((s) => [s, t.cadre.statusName[s]!])} /></select>
        </Field>
        <label class="check"><input type="checkbox" name="isLeader" value="1" checked={values.isLeader === true} /> {t.cadre.isLeader}</label>
        <label class="check"><input type="checkbox" name="isPrincipal" value="1" checked={values.isPrincipal === true} /> {t.cadre.isPrincipal}</label>
        <label class="check"><input type="checkbox" name="isPartyMember" value="1" checked={values.isPartyMember === true} /> {t.cadre.partyMember}</label>
      </div>
      <div class="form-actions">
        <button type="submit" class="button primary">{t.common.save}</button>
        <a class="button" href={`/cadres/${props.id}`}>{t.common.cancel}</a>
      </div>
    </Form>
  );
}

/** A cadre field's label, e.g. birthDate → 出生日期. */
function fieldLabel(t: Dictionary, field: string): string {
  const labels: Record<string, string> = { unitId: t.cadre.unit, isPartyMember: t.cadre.partyMember, isLeader: t.cadre.isLeader, isPrincipal: t.cadre.isPrincipal };
  const value = labels[field] ?? (t.cadre as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : field;
}

function Profile(props: { t: Dictionary; cadre: CadreProfile; today: Date; canEdit: boolean; timeline: Awaited<ReturnType<typeof cadreTimeline>>; absences: AbsenceRow[] }) {
  const { t, cadre } = props;
  const fact = (label: string, value: unknown) => (
    <>
      <dt>{label}</dt>
      <dd>{value === null || value === undefined || value === '' ? <span class="muted">—</span> : value}</dd>
    </>
  );
  return (
    <>
      <div class="page-head">
        <div class="profile-head">
          <div class="avatar" aria-hidden="true">{cadre.name.slice(0, 1)}</div>
          <div>
            <h1 id="cadre-name">{cadre.name}</h1>
            <div class="muted">
              {cadre.unitName} · {cadre.position} · {cadre.rank}
            </div>
          </div>
        </div>
        <div class="actions">
          <a class="button" href="/cadres">{t.common.back}</a>
          <button type="button" class="button" data-print>{t.common.print}</button>
          {props.canEdit && <a class="button primary" href={`/cadres/${cadre.id}/edit`}>{t.common.edit}</a>}
        </div>
      </div>
      <div class="profile-grid">
        <section class="card">
          <h2>{t.cadre.basics}</h2>
          <dl class="facts">
            {fact(t.cadre.gender, cadre.gender === 'male' ? t.cadre.male : t.cadre.female)}
            {fact(t.cadre.birthDate, t.cadre.bornOn(cadre.birthDate, ageOn(cadre.birthDate, props.today)))}
            {fact(t.cadre.unit, cadre.unitName)}
            {fact(t.cadre.position, cadre.position)}
            {fact(t.cadre.rank, cadre.rank)}
            {fact(t.cadre.team, <TeamBadge row={cadre} t={t} />)}
            {fact(t.cadre.education, cadre.education)}
            {fact(t.cadre.field, cadre.field)}
            {fact(t.cadre.tags, cadre.tags.length ? <span class="tags">{cadre.tags.map((x) => <span class="badge">{x}</span>)}</span> : null)}
            {fact(t.cadre.partyMember, cadre.isPartyMember ? t.common.yes : t.common.no)}
            {fact(t.cadre.employeeNo, cadre.employeeNo)}
            {fact(t.cadre.mobile, cadre.mobile)}
            {fact(t.cadre.status, t.cadre.statusName[cadre.status])}
          </dl>
        </section>
        <section class="card">
          <h2>{t.cadre.timeline}</h2>
          {props.timeline.length === 0 ? (
            <p class="muted">{t.cadre.timelineEmpty}</p>
          ) : (
            <ol class="timeline">
              {props.timeline.map((e) => (
                <li>
                  <time datetime={e.at.toISOString()}>{formatTime(e.at)}</time>
                  <strong>{e.href ? <a href={e.href}>{t.cadre.timelineKind[e.kind] ?? e.title}</a> : (t.cadre.timelineKind[e.kind] ?? e.title)}</strong>
                  {e.detail && <div class="muted">{e.detail}</div>}
                  {e.fields && <div class="muted">{e.fields.map((f) => fieldLabel(t, f)).join(t.common.listJoin)}</div>}
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
      <AbsencesSection t={t} cadreId={cadre.id} absences={props.absences} canEdit={props.canEdit} />
    </>
  );
}

/** The form body as the shape `updateCadre` validates. */
function inputOf(body: Record<string, unknown>) {
  const s = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
  return {
    name: s('name'),
    gender: s('gender'),
    birthDate: s('birthDate'),
    unitId: s('unitId'),
    position: s('position'),
    rank: s('rank'),
    isLeader: body.isLeader === '1',
    isPrincipal: body.isPrincipal === '1',
    education: s('education'),
    field: s('field'),
    tags: s('tags').split(/[,，、;；\s]+/).map((x) => x.trim()).filter(Boolean),
    isPartyMember: body.isPartyMember === '1',
    employeeNo: s('employeeNo'),
    mobile: s('mobile'),
    status: s('status'),
  };
}

export function cadreRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = new Hono<PanelEnv>();
  const sources = [recordChanges, ...(deps.timeline ?? [])];
  const notFound = (c: PanelContext) => new HTTPException(404, { message: t(c).common.notFound });

  app.get('/:id{[0-9]+}', async (c) => {
    const cadre = await viewCadre(deps.db, requestContext(c, deps), idParam(c));
    if (!cadre) throw notFound(c);
    const [timeline, absences] = await Promise.all([cadreTimeline(deps.db, cadre.id, sources, langOf(c)), absencesOf(deps.db, c.var.scope, cadre.id)]);
    const canEdit = canEditCadres(c.var.user);
    return renderPage(c, deps, `${cadre.name} · ${t(c).cadre.profile}`, <Profile t={t(c)} cadre={cadre} today={deps.clock.now()} canEdit={canEdit} timeline={timeline} absences={absences} />);
  });

  app.get('/:id{[0-9]+}/edit', requireRole(canEditCadres), async (c) => {
    const cadre = await viewCadre(deps.db, requestContext(c, deps), idParam(c));
    if (!cadre) throw notFound(c);
    const units = await unitOptions(deps.db, c.var.scope);
    return renderPage(c, deps, t(c).cadre.editTitle, <>
      <div class="page-head"><h1>{cadre.name}</h1></div>
      <EditForm t={t(c)} id={cadre.id} values={valuesOf(cadre)} units={units} />
    </>);
  });

  app.post('/:id{[0-9]+}', requireRole(canEditCadres), async (c) => {
    const id = idParam(c);
    const body = await c.req.parseBody();
    const result = await updateCadre(deps.db, requestContext(c, deps), id, inputOf(body));
    if (!result.ok && 'notFound' in result) throw notFound(c);
    if (!result.ok) {
      const units = await unitOptions(deps.db, c.var.scope);
      const values = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined])) as FormValues;
      for (const k of ['isLeader', 'isPrincipal', 'isPartyMember']) values[k] = body[k] === '1';
      const form = <EditForm t={t(c)} id={id} values={values} errors={result.errors} units={units} />;
      return c.req.header('HX-Request') ? renderFragment(c, form, 422) : renderPage(c, deps, t(c).cadre.editTitle, form, 422);
    }
    return redirect(c, `/cadres/${id}`);
  });

  app.route('/', absenceRoutes(deps));
  return app;
}
