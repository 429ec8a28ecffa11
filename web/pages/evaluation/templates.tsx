/**
 * @module
 * The questionnaire editor: the list of templates with the version each campaign uses, and an
 * edit form that saves a new version (core `saveTemplateVersion`), so a campaign already open
 * keeps the questions it opened with. Items are edited as lines "key: label" per dimension;
 * empty rows add levels or dimensions without any script.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { eq } from 'drizzle-orm';
import { campaignsInScope, createTemplate, listTemplates, templateUsage, withinScope } from '../../../core/evaluation/admin.ts';
import { EvaluationError } from '../../../core/evaluation/errors.ts';
import { DEFAULT_SCALE, latestTemplateVersion, saveTemplateVersion, templateIssues, type TemplateDefinition } from '../../../core/evaluation/templates.ts';
import { evaluationTemplates } from '../../../db/schema/evaluation.ts';
import { requireRole } from '../../auth.ts';
import type { PanelContext, PanelDeps, PanelEnv } from '../../context.ts';
import { idParam } from '../../ids.ts';
import { et, issueText, type EvaluationDictionary } from './text.ts';
import { renderFragment, renderPage } from '../../render.tsx';
import { Field } from '../../components/ui.tsx';
import { NoticeBox, StatusBadge, type Notice } from './campaign.tsx';
import { canManageCampaigns } from '../../../core/roles.ts';
import { redirect } from '../../redirect.ts';
import { Form } from '../../components/form.tsx';

type Body = Record<string, string | File | (string | File)[]>;
const SPARE = 2;

/** Form fields → a definition (validated afterwards by core). */
export function parseTemplateForm(body: Body): TemplateDefinition {
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');
  const scale: TemplateDefinition['scale'] = [];
  for (let i = 0; i < 40; i++) {
    const label = str(`level_label_${i}`);
    const key = str(`level_key_${i}`);
    const score = str(`level_score_${i}`);
    if (!label && !key && !score) continue;
    scale.push({ key, label, score: score === '' ? NaN : Number(score) });
  }
  const dimensions: TemplateDefinition['dimensions'] = [];
  for (let j = 0; j < 40; j++) {
    const key = str(`dim_key_${j}`);
    const label = str(`dim_label_${j}`);
    const lines = str(`dim_items_${j}`).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    if (!key && !label && lines.length === 0) continue;
    const items = lines.map((line, n) => {
      const m = /^([A-Za-z0-9_]*)\s*[:：]\s*(.*)$/.exec(line);
      const itemKey = m && m[1] ? m[1] : `${key || `d${j + 1}`}_${n + 1}`;
      return { key: itemKey, label: m ? m[2]!.trim() : line };
    });
    dimensions.push({ key, label, items });
  }
  return { name: str('name'), scale, dimensions, allowComment: body.allowComment === 'on', overallGrade: body.overallGrade === 'on' };
}

function TemplateForm(props: { t: EvaluationDictionary; def: TemplateDefinition; action: string; issues?: string[]; notice?: Notice; version?: number }) {
  const e = props.t.evaluation;
  const { def } = props;
  const levels = [...def.scale, ...Array.from({ length: SPARE }, () => ({ key: '', label: '', score: NaN }))];
  const dims = [...def.dimensions, ...Array.from({ length: SPARE }, () => ({ key: '', label: '', items: [] as Array<{ key: string; label: string }> }))];
  return (
    <Form id="template-form" class="card template-form" action={props.action} target="this">
      <NoticeBox notice={props.notice} />
      {props.issues && props.issues.length > 0 && (
        <div class="alert alert-error" role="alert"><ul class="issues">{props.issues.map((i) => <li>{i}</li>)}</ul></div>
      )}
      <div class="form-grid">
        <Field label={e.templateName} class="span-2"><input name="name" value={def.name} required maxlength={60} /></Field>
        <label class="check"><input type="checkbox" name="allowComment" checked={def.allowComment} />{e.allowComment}</label>
        <label class="check"><input type="checkbox" name="overallGrade" checked={def.overallGrade} />{e.overallGrade}</label>
      </div>
      <fieldset class="form-section">
        <legend>{e.scale}</legend>
        <p class="hint">{e.emptyRowsHint}</p>
        <div class="level-rows">
          {levels.map((l, i) => (
            <div class="level-row">
              <span class="row-no">{i + 1}</span>
              <input name={`level_label_${i}`} value={l.label} aria-label={`${e.levelLabel} ${i + 1}`} placeholder={e.levelLabel} />
              <input name={`level_key_${i}`} value={l.key} aria-label={`${e.levelKey} ${i + 1}`} placeholder={e.levelKey} />
              <input name={`level_score_${i}`} value={Number.isFinite(l.score) ? String(l.score) : ''} inputmode="numeric" aria-label={`${e.levelScore} ${i + 1}`} placeholder={e.levelScore} />
            </div>
          ))}
        </div>
      </fieldset>
      <fieldset class="form-section">
        <legend>{e.dimensions}</legend>
        <p class="hint">{e.itemsHint}</p>
        <div class="dim-rows">
          {dims.map((d, j) => (
            <div class="dim-row">
              <div class="dim-head">
                <input name={`dim_label_${j}`} value={d.label} aria-label={`${e.dimensionLabel} ${j + 1}`} placeholder={e.dimensionLabel} />
                <input name={`dim_key_${j}`} value={d.key} aria-label={`${e.dimensionKey} ${j + 1}`} placeholder={e.dimensionKey} />
              </div>
              <textarea name={`dim_items_${j}`} rows={Math.max(3, d.items.length + 1)} aria-label={`${e.dimensionLabel} ${j + 1}`}>{d.items.map((it) => `${it.key}: ${it.label}`).join('\n')}</textarea>
            </div>
          ))}
        </div>
      </fieldset>
      <div class="form-actions"><button type="submit" class="button primary">{props.version ? e.saveVersion : props.t.common.create}</button></div>
    </Form>
  );
}

export function templateRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = new Hono<PanelEnv>();

  app.get('/', async (c) => {
    const tr = et(c);
    const e = tr.evaluation;
    const templates = await listTemplates(deps.db);
    // Only the campaigns the reader may see: another unit's campaign is not named here either.
    const visible = await campaignsInScope(deps.db, c.var.scope);
    const usage = await Promise.all(templates.map(async (tp) => withinScope(await templateUsage(deps.db, tp.id), visible, (u) => u.id)));
    const canEdit = canManageCampaigns(c.var.user);
    return renderPage(
      c,
      deps,
      e.templatesTitle,
      <>
        <div class="page-head">
          <div>
            <p class="crumbs"><a href="/evaluation">{e.campaigns}</a></p>
            <h1>{e.templatesTitle}</h1>
          </div>
          {canEdit && <div class="actions"><a class="button primary" href="/evaluation/templates/new">{e.newTemplate}</a></div>}
        </div>
        <div class="table-wrap">
          <table class="table" id="templates">
            <thead><tr><th>{e.templateName}</th><th></th><th>{e.latest}</th><th>{e.usedBy}</th><th></th></tr></thead>
            <tbody>
              {templates.map((tp, i) => (
                <tr>
                  <td>{tp.name}</td>
                  <td><span class="badge">{tp.builtIn ? e.builtIn : e.custom}</span></td>
                  <td>{e.versionOf(tp.latestVersion)}</td>
                  <td class="wrap">
                    {usage[i]!.length === 0 ? (
                      <span class="muted">{e.unused}</span>
                    ) : (
                      <ul class="usage">
                        {usage[i]!.map((u) => (
                          <li><a href={`/evaluation/${u.id}`}>{u.title}</a> <StatusBadge t={tr} status={u.status} /> <span class="badge">{e.versionOf(u.version)}</span></li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>{canEdit && <a class="button small" href={`/evaluation/templates/${tp.id}`}>{e.editTemplate}</a>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </>,
    );
  });

  const page = (c: PanelContext, title: string, form: unknown, status: 200 | 422 = 200) => {
    if (c.req.header('HX-Request')) return renderFragment(c, form as never, status);
    return renderPage(c, deps, title, <><div class="page-head"><div><p class="crumbs"><a href="/evaluation/templates">{et(c).evaluation.templatesTitle}</a></p><h1>{title}</h1></div></div>{form}</>, status);
  };

  const blank: TemplateDefinition = { name: '', scale: DEFAULT_SCALE, dimensions: [], allowComment: true, overallGrade: false };

  app.get('/new', requireRole(canManageCampaigns), (c) => page(c, et(c).evaluation.newTemplate, <TemplateForm t={et(c)} def={blank} action="/evaluation/templates" />));

  app.post('/', requireRole(canManageCampaigns), async (c) => {
    const def = parseTemplateForm(await c.req.parseBody());
    const issues = templateIssues(def).map((i) => issueText(et(c), i));
    if (issues.length) return page(c, et(c).evaluation.newTemplate, <TemplateForm t={et(c)} def={def} action="/evaluation/templates" issues={issues} />, 422);
    const id = await createTemplate(deps.db, def, c.var.user.id);
    return redirect(c, `/evaluation/templates/${id}`);
  });

  const loadTemplate = async (c: PanelContext) => {
    const id = idParam(c);
    const [row] = await deps.db.select().from(evaluationTemplates).where(eq(evaluationTemplates.id, id));
    const latest = row ? await latestTemplateVersion(deps.db, id) : undefined;
    if (!row || !latest) throw new HTTPException(404, { message: et(c).common.notFound });
    return { row, latest };
  };

  app.get('/:id{[0-9]+}', requireRole(canManageCampaigns), async (c) => {
    const { row, latest } = await loadTemplate(c);
    const title = `${row.name} · ${et(c).evaluation.versionOf(latest.version)}`;
    return page(c, title, <TemplateForm t={et(c)} def={latest.definition as TemplateDefinition} action={`/evaluation/templates/${row.id}`} version={latest.version} />);
  });

  app.post('/:id{[0-9]+}', requireRole(canManageCampaigns), async (c) => {
    const { row, latest } = await loadTemplate(c);
    const def = parseTemplateForm(await c.req.parseBody());
    const action = `/evaluation/templates/${row.id}`;
    const title = `${row.name} · ${et(c).evaluation.versionOf(latest.version)}`;
    try {
      const saved = await saveTemplateVersion(deps.db, { templateId: row.id, definition: def, actorId: c.var.user.id });
      return page(c, title, <TemplateForm t={et(c)} def={def} action={action} version={saved.version} notice={{ kind: 'ok', text: et(c).evaluation.versionSaved(saved.version) }} />);
    } catch (error) {
      if (error instanceof EvaluationError) return page(c, title, <TemplateForm t={et(c)} def={def} action={action} version={latest.version} issues={error.issues.map((i) => issueText(et(c), i))} />, 422);
      throw error;
    }
  });

  return app;
}
