/**
 * @module
 * Panel users, for district admins: create, change role and scope, link a Lark account,
 * disable, reset a password. A generated password is shown once and never stored in clear.
 */
import type { Hono } from 'hono';
import { changeUser, createUser, listUsers, resetPassword } from '../../core/users.ts';
import { unitOptions } from '../../core/org/units.ts';
import { panelRole, type PanelRole } from '../../db/schema/users.ts';
import { clientIp, t, type PanelContext, type PanelDeps, type PanelEnv } from '../context.ts';
import { formId, idParam } from '../ids.ts';
import type { Dictionary } from '../i18n.ts';
import { renderFragment, renderPage } from '../render.tsx';
import { Field, Options } from '../components/ui.tsx';
import { isDistrictAdmin } from '../../core/roles.ts';
import { panelApp } from '../panel-app.ts';
import { Form } from '../components/form.tsx';

type Notice = { kind: 'ok' | 'error'; text: string };

async function UsersSection(props: { deps: PanelDeps; c: PanelContext; t: Dictionary; notice?: Notice; errors?: Record<string, string>; draft?: Record<string, string> }) {
  const { t, deps, c } = props;
  const [users, units] = await Promise.all([listUsers(deps.db), unitOptions(deps.db, c.var.scope)]);
  const unitChoices = units.map((u): [number, string] => [u.id, `${'　'.repeat(u.depth)}${u.name}`]);
  const roles = panelRole.enumValues.map((r): [string, string] => [r, t.role[r]!]);
  const err = (k: string) => (props.errors?.[k] ? t.errors[props.errors[k]!] ?? t.errors.invalid : undefined);
  const draft = props.draft ?? {};
  return (
    <div id="users">
      {props.notice && <p class={`alert ${props.notice.kind === 'ok' ? 'alert-ok' : 'alert-error'}`} role="status">{props.notice.text}</p>}
      <Form class="card" action="/users" target="#users">
        <h2>{t.users.add}</h2>
        <div class="form-grid">
          <Field label={t.users.username} error={err('username')}><input name="username" value={draft.username ?? ''} required autocomplete="off" /></Field>
          <Field label={t.users.displayName} error={err('displayName')}><input name="displayName" value={draft.displayName ?? ''} required /></Field>
          <Field label={t.users.role}><select name="role"><Options options={roles} selected={draft.role ?? 'unit_admin'} /></select></Field>
          <Field label={t.users.unit} error={err('unitId')}><select name="unitId"><Options blank={t.users.districtWide} options={unitChoices} selected={draft.unitId} /></select></Field>
          <Field label={t.users.larkOpenId} error={err('larkOpenId')}><input name="larkOpenId" value={draft.larkOpenId ?? ''} placeholder="ou_…" /></Field>
          <Field label={t.users.password} error={err('password')}><input name="password" type="password" autocomplete="new-password" /></Field>
        </div>
        <div class="form-actions"><button type="submit" class="button primary">{t.common.create}</button></div>
      </Form>
      <div class="table-wrap">
        <table class="table" id="users-table">
          <thead>
            <tr>
              <th>{t.users.username}</th>
              <th>{t.users.displayName}</th>
              <th>{t.users.role} / {t.users.unit} / {t.users.larkOpenId}</th>
              <th>{t.cadre.status}</th>
              <th>{t.common.actions}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr>
                <td class="mono">{u.username}</td>
                <td>{u.displayName}</td>
                <td>
                  <Form class="inline-form" action={`/users/${u.id}`} target="#users">
                    <select name="role" aria-label={t.users.role}><Options options={roles} selected={u.role} /></select>
                    <select name="unitId" aria-label={t.users.unit}><Options blank={t.users.districtWide} options={unitChoices} selected={u.unitId} /></select>
                    <input name="larkOpenId" value={u.larkOpenId ?? ''} placeholder="open_id" aria-label={t.users.larkOpenId} size={12} />
                    <button type="submit" class="button small">{t.common.save}</button>
                  </Form>
                </td>
                <td>{u.disabled ? <span class="badge err">{t.users.disabled}</span> : <span class="badge ok">{t.users.active}</span>}</td>
                <td>
                  <Form class="inline-form" action={`/users/${u.id}/status`} target="#users">
                    <input type="hidden" name="disabled" value={u.disabled ? '0' : '1'} />
                    <button type="submit" class={`button small${u.disabled ? '' : ' danger'}`} disabled={u.id === c.var.user.id}>{u.disabled ? t.users.enable : t.users.disable}</button>
                  </Form>{' '}
                  <Form class="inline-form" action={`/users/${u.id}/password`} target="#users">
                    <button type="submit" class="button small" data-confirm={`${t.users.resetPassword}: ${u.username}?`}>{t.users.resetPassword}</button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function usersRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = panelApp(deps, { allow: isDistrictAdmin });
  const respond = async (c: PanelContext, props: { notice?: Notice; errors?: Record<string, string>; draft?: Record<string, string> }, status: 200 | 422 = 200) => {
    const section = await UsersSection({ deps, c, t: t(c), ...props });
    if (c.req.header('HX-Request')) return renderFragment(c, section, status);
    return renderPage(c, deps, t(c).users.title, <><div class="page-head"><h1>{t(c).users.title}</h1></div>{section}</>, status);
  };
  const actor = (c: PanelContext) => ({ id: c.var.user.id, ip: clientIp(c, deps.trustProxy) });
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const roleOf = (v: unknown): PanelRole => (panelRole.enumValues.includes(v as PanelRole) ? (v as PanelRole) : 'viewer');
  const unitOf = (c: PanelContext, v: unknown) => formId(c, v, t(c).users.unit, { optional: true });

  app.get('/', (c) => respond(c, {}));

  app.post('/', async (c) => {
    const body = await c.req.parseBody();
    const draft = Object.fromEntries(['username', 'displayName', 'role', 'unitId', 'larkOpenId'].map((k) => [k, str(body[k])]));
    const result = await createUser(deps.db, actor(c), {
      username: draft.username!,
      displayName: draft.displayName!,
      role: roleOf(body.role),
      unitId: unitOf(c, body.unitId),
      larkOpenId: draft.larkOpenId || null,
      password: typeof body.password === 'string' ? body.password : undefined,
    });
    if (!result.ok) return respond(c, { errors: result.errors, draft, notice: { kind: 'error', text: t(c).common.errorsBelow } }, 422);
    return respond(c, { notice: { kind: 'ok', text: result.password ? t(c).users.created(result.password) : t(c).common.saved } });
  });

  app.post('/:id{[0-9]+}', async (c) => {
    const body = await c.req.parseBody();
    const result = await changeUser(deps.db, actor(c), idParam(c), { role: roleOf(body.role), unitId: unitOf(c, body.unitId), larkOpenId: str(body.larkOpenId) || null });
    if (!result.ok) {
      const [field, code] = Object.entries(result.errors)[0]!;
      return respond(c, { notice: { kind: 'error', text: `${field}: ${t(c).errors[code] ?? code}` } }, 422);
    }
    return respond(c, { notice: { kind: 'ok', text: t(c).common.saved } });
  });

  app.post('/:id{[0-9]+}/status', async (c) => {
    const id = idParam(c);
    if (id === c.var.user.id) return respond(c, { notice: { kind: 'error', text: t(c).common.forbidden } }, 422);
    const body = await c.req.parseBody();
    await changeUser(deps.db, actor(c), id, { disabled: body.disabled === '1' });
    return respond(c, { notice: { kind: 'ok', text: t(c).common.saved } });
  });

  app.post('/:id{[0-9]+}/password', async (c) => {
    const password = await resetPassword(deps.db, actor(c), idParam(c));
    if (!password) return respond(c, { notice: { kind: 'error', text: t(c).common.notFound } }, 422);
    return respond(c, { notice: { kind: 'ok', text: t(c).users.newPassword(password) } });
  });
  return app;
}
