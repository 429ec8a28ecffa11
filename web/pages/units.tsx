/**
 * @module
 * The unit tree with cadre counts; admins create, rename and move units within their scope.
 */
import type { Hono } from 'hono';
import { changeUnit, createUnit, unitOptions, unitTree, type UnitNode } from '../../core/org/units.ts';
import { unitKind } from '../../db/schema/org.ts';
import { requireRole } from '../auth.ts';
import { requestContext, t, type PanelContext, type PanelDeps, type PanelEnv } from '../context.ts';
import { formId, idParam } from '../ids.ts';
import type { Dictionary } from '../i18n.ts';
import { renderFragment, renderPage } from '../render.tsx';
import { Field, Options } from '../components/ui.tsx';
import { canEditUnits, canSeeProfiles } from '../../core/roles.ts';
import { panelApp } from '../panel-app.ts';
import { Form } from '../components/form.tsx';

type Notice = { kind: 'ok' | 'error'; text: string };

function Node(props: { node: UnitNode; t: Dictionary; canEdit: boolean; parents: Array<[number | string, string]> }) {
  const { node, t } = props;
  return (
    <li>
      <div class="tree-row" id={`unit-${node.id}`}>
        <span class="tree-name">{node.name}</span>
        <span class="badge">{t.units.kindName[node.kind]}</span>
        <a class="tree-count" href={`/cadres?unit=${node.id}`}>
          {t.units.direct} {node.direct} · {t.units.total} {node.total}
        </a>
        {props.canEdit && (
          <details class="no-print">
            <summary>{t.common.edit}</summary>
            <Form class="inline-form" action={`/units/${node.id}`} target="#units">
              <input name="name" value={node.name} aria-label={t.units.name} required />
              {/* A unit admin's own top unit keeps its parent, which lies outside their scope. */}
              {props.parents.some(([id]) => String(id) === String(node.parentId ?? '')) ? (
                <select name="parentId" aria-label={t.units.move}>
                  <Options options={props.parents.filter(([id]) => id !== node.id)} selected={node.parentId ?? ''} />
                </select>
              ) : (
                <input type="hidden" name="parentId" value={String(node.parentId ?? '')} />
              )}
              <button type="submit" class="button small primary">{t.common.save}</button>
            </Form>
          </details>
        )}
      </div>
      {node.children.length > 0 && (
        <ul>
          {node.children.map((child) => (
            <Node node={child} t={t} canEdit={props.canEdit} parents={props.parents} />
          ))}
        </ul>
      )}
    </li>
  );
}

async function UnitsSection(props: { c: PanelContext; deps: PanelDeps; t: Dictionary; notice?: Notice }) {
  const { c, deps, t } = props;
  const [tree, options] = await Promise.all([unitTree(deps.db, c.var.scope), unitOptions(deps.db, c.var.scope)]);
  const canEdit = canEditUnits(c.var.user);
  const parents: Array<[number | string, string]> = [
    ...(c.var.scope.kind === 'all' ? [['', t.units.root] as [string, string]] : []),
    ...options.map((u): [number, string] => [u.id, `${'　'.repeat(u.depth)}${u.name}`]),
  ];
  return (
    <div id="units">
      {props.notice && <p class={`alert ${props.notice.kind === 'ok' ? 'alert-ok' : 'alert-error'}`} role="status">{props.notice.text}</p>}
      {canEdit && (
        <Form class="card no-print" action="/units" target="#units">
          <h2>{t.units.add}</h2>
          <div class="form-grid">
            <Field label={t.units.name}><input name="name" required maxlength={40} /></Field>
            <Field label={t.units.kind}><select name="kind"><Options options={unitKind.enumValues.map((k) => [k, t.units.kindName[k]!])} selected="office" /></select></Field>
            <Field label={t.units.parent}><select name="parentId"><Options options={parents} selected={options[0]?.id} /></select></Field>
          </div>
          <div class="form-actions"><button type="submit" class="button primary">{t.common.create}</button></div>
        </Form>
      )}
      <section class="card">
        <ul class="tree" id="unit-tree">
          {tree.map((node) => (
            <Node node={node} t={t} canEdit={canEdit} parents={parents} />
          ))}
        </ul>
      </section>
    </div>
  );
}

export function unitsRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = panelApp(deps, { allow: canSeeProfiles });
  const respond = async (c: PanelContext, notice?: Notice, status: 200 | 422 = 200) => {
    const section = await UnitsSection({ c, deps, t: t(c), notice });
    if (c.req.header('HX-Request')) return renderFragment(c, section, status);
    return renderPage(c, deps, t(c).units.title, <><div class="page-head"><h1>{t(c).units.title}</h1></div>{section}</>, status);
  };
  const parentOf = (c: PanelContext, v: unknown) => formId(c, v, t(c).units.parent, { optional: true });

  app.get('/', (c) => respond(c));

  app.post('/', requireRole(canEditUnits), async (c) => {
    const body = await c.req.parseBody();
    const result = await createUnit(deps.db, requestContext(c, deps), { name: body.name, kind: body.kind, parentId: parentOf(c, body.parentId) });
    if (!result.ok) return respond(c, { kind: 'error', text: t(c).errors[result.error] ?? result.error }, 422);
    return respond(c, { kind: 'ok', text: t(c).common.saved });
  });

  app.post('/:id{[0-9]+}', requireRole(canEditUnits), async (c) => {
    const body = await c.req.parseBody();
    const result = await changeUnit(deps.db, requestContext(c, deps), idParam(c), {
      name: typeof body.name === 'string' ? body.name : undefined,
      parentId: parentOf(c, body.parentId),
    });
    if (!result.ok) return respond(c, { kind: 'error', text: t(c).errors[result.error] ?? result.error }, 422);
    return respond(c, { kind: 'ok', text: t(c).common.saved });
  });
  return app;
}
