/**
 * @module
 * The sections of one campaign's page: settings (a form while a draft), targets, raters by
 * category, public codes, live turnout and paper ballots (while open). Each action answers with the whole
 * `#campaign` block, so counts elsewhere on the page stay right.
 */
import type { CampaignListRow, PersonRow, RaterRow, TemplateRow, UnitTurnout } from '../../../core/evaluation/admin.ts';
import { CATEGORIES } from '../../../core/evaluation/scoring.ts';
import type { EvaluationCampaign, RaterCategory } from '../../../db/schema/evaluation.ts';
import type { EvaluationDictionary } from './text.ts';
import { Field, Options } from '../../components/ui.tsx';
import { CampaignForm, type FormValues } from './form.tsx';
import { Form } from '../../components/form.tsx';

export type Notice = { kind: 'ok' | 'error'; text: string; issues?: string[] };

export const percent = (done: number, of: number) => (of === 0 ? 0 : Math.round((done / of) * 1000) / 10);

export function StatusBadge(props: { t: EvaluationDictionary; status: string }) {
  const cls = props.status === 'open' ? 'ok' : props.status === 'closed' ? '' : 'warn';
  return <span class={`badge ${cls}`}>{props.t.evaluation.statusName[props.status]}</span>;
}

export function NoticeBox(props: { notice?: Notice }) {
  const n = props.notice;
  if (!n) return null;
  return (
    <div class={`alert ${n.kind === 'ok' ? 'alert-ok' : 'alert-error'}`} role={n.kind === 'ok' ? 'status' : 'alert'}>
      {n.text}
      {n.issues && n.issues.length > 1 && <ul class="issues">{n.issues.map((i) => <li>{i}</li>)}</ul>}
    </div>
  );
}

export function Meter(props: { done: number; of: number }) {
  const p = percent(props.done, props.of);
  return (
    <span class="meter-wrap">
      <meter min={0} max={100} value={p} low={60} high={80} optimum={100}>{p}%</meter>
      <span class="meter-label">{p}%<small> ({props.done}/{props.of})</small></span>
    </span>
  );
}

export interface CampaignView {
  campaign: EvaluationCampaign;
  row: CampaignListRow;
  templates: TemplateRow[];
  targets: PersonRow[];
  raters: RaterRow[];
  raterCounts: Partial<Record<RaterCategory, number>>;
  units: Array<{ id: number; name: string }>;
  codes: { issued: number; used: number };
  category: RaterCategory;
  values: FormValues;
  formIssues?: string[];
  canManage: boolean;
  window: string;
}

function Targets(props: { t: EvaluationDictionary; v: CampaignView }) {
  const { t, v } = props;
  const e = t.evaluation;
  const id = v.campaign.id;
  const draft = v.campaign.status === 'draft' && v.canManage;
  const byUnit = new Map<string, PersonRow[]>();
  for (const p of v.targets) byUnit.set(p.unitName, [...(byUnit.get(p.unitName) ?? []), p]);
  const picked = new Set(v.campaign.unitIds);
  return (
    <section class="card" id="targets">
      <h2>{e.targets} <small class="muted">{e.targetCount(v.targets.length)}</small></h2>
      {draft && (
        <>
          <Form action={`/evaluation/${id}/targets`} target="#campaign">
            <p class="hint">{e.targetsHint}</p>
            <div class="unit-picks">
              {v.units.map((u) => (
                <label class="check pick"><input type="checkbox" name="unitId" value={String(u.id)} checked={picked.has(u.id)} />{u.name}</label>
              ))}
            </div>
            <div class="form-actions"><button class="button primary" type="submit">{e.proposeTargets}</button></div>
          </Form>
          <Form class="inline-form add-row" action={`/evaluation/${id}/targets/add`} target="#campaign">
            <input name="q" placeholder={e.cadreQuery} aria-label={e.cadreQuery} required />
            <button class="button small" type="submit">{e.addCadre}</button>
          </Form>
        </>
      )}
      {v.targets.length === 0 ? (
        <p class="empty">{e.noTargets}</p>
      ) : (
        <div class="target-units">
          {[...byUnit].map(([unit, people]) => (
            <div class="target-unit">
              <h3>{unit} <small class="muted">{people.length}</small></h3>
              <ul class="chips">
                {people.map((p) => (
                  <li class="chip">
                    <span title={p.position}>{p.name}</span>
                    {draft && (
                      <Form action={`/evaluation/${id}/targets/remove`} target="#campaign">
                        <input type="hidden" name="cadreId" value={String(p.id)} />
                        <button type="submit" class="chip-remove" aria-label={`${e.remove} ${p.name}`}>×</button>
                      </Form>
                    )}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}

function Raters(props: { t: EvaluationDictionary; v: CampaignView }) {
  const { t, v } = props;
  const e = t.evaluation;
  const id = v.campaign.id;
  const draft = v.campaign.status === 'draft' && v.canManage;
  const rows = v.raters.filter((r) => r.category === v.category);
  return (
    <section class="card" id="raters">
      <h2>{e.raters}</h2>
      {draft && (
        <Form class="propose" action={`/evaluation/${id}/raters/propose`} target="#campaign">
          <button class="button primary" type="submit" disabled={v.targets.length === 0}>{e.proposeRaters}</button>
          <small class="hint">{e.proposeHint}</small>
        </Form>
      )}
      <nav class="tabs" aria-label={e.raters}>
        {CATEGORIES.filter((c) => c !== 'public').map((c) => (
          <a href={`/evaluation/${id}?category=${c}#raters`} hx-get={`/evaluation/${id}?category=${c}`} hx-target="#campaign" hx-swap="outerHTML" class={c === v.category ? 'tab current' : 'tab'} aria-current={c === v.category ? 'true' : undefined}>
            {e.category[c]} <span class="badge">{v.raterCounts[c] ?? 0}</span>
          </a>
        ))}
      </nav>
      {rows.length === 0 ? (
        <p class="empty">{e.noRaters}</p>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead><tr><th>{t.cadre.name}</th><th>{e.unit}</th><th>{e.position}</th><th class="num">{e.rateesCount}</th>{draft && <th></th>}</tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td>{r.name}</td><td>{r.unitName}</td><td>{r.position}</td><td class="num">{r.targetIds.length}</td>
                  {draft && (
                    <td>
                      <Form class="inline-form" action={`/evaluation/${id}/raters/remove`} target="#campaign">
                        <input type="hidden" name="cadreId" value={String(r.id)} />
                        <input type="hidden" name="category" value={r.category} />
                        <button type="submit" class="button small danger">{e.remove}</button>
                      </Form>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {draft && v.targets.length > 0 && (
        <Form class="inline-form add-row" action={`/evaluation/${id}/raters/add`} target="#campaign">
          <input name="q" placeholder={e.cadreQuery} aria-label={e.cadreQuery} required />
          <select name="category" aria-label={e.category.peer}><Options options={CATEGORIES.filter((c) => c !== 'public').map((c) => [c, e.category[c]!])} selected={v.category} /></select>
          <select name="unitId" aria-label={e.ratesUnit}><Options blank={e.allTargets} options={unitsOf(v.targets)} /></select>
          <button class="button small" type="submit">{e.addRater}</button>
        </Form>
      )}
    </section>
  );
}

const unitsOf = (people: PersonRow[]): Array<[number, string]> => [...new Map(people.map((p) => [p.unitId, p.unitName]))];

function Codes(props: { t: EvaluationDictionary; v: CampaignView }) {
  const { t, v } = props;
  const e = t.evaluation;
  const id = v.campaign.id;
  return (
    <section class="card" id="codes">
      <h2>{e.publicCodes} <small class="muted">{e.codesIssued(v.codes.issued, v.codes.used)}</small></h2>
      <p class="hint">{e.codesHint}</p>
      {v.canManage && v.campaign.status !== 'closed' && v.targets.length > 0 && (
        <form class="inline-form" method="post" action={`/evaluation/${id}/codes`} target="_blank">
          <Field label={e.codeCount}><input name="count" type="number" min={1} max={5000} value="20" required /></Field>
          <Field label={e.codeUnit}><select name="unitId"><Options blank={e.allTargets} options={unitsOf(v.targets)} /></select></Field>
          <button class="button" type="submit">{e.issueCodes}</button>
        </form>
      )}
    </section>
  );
}

export interface TurnoutView {
  campaignId: number;
  open: boolean;
  categories: Array<{ category: RaterCategory; assigned: number; completed: number }>;
  units: UnitTurnout[];
  showOverall: boolean;
  showNames: boolean;
}

export function Turnout(props: { t: EvaluationDictionary; v: TurnoutView }) {
  const { t, v } = props;
  const e = t.evaluation;
  const assigned = v.categories.reduce((s, c) => s + c.assigned, 0);
  const completed = v.categories.reduce((s, c) => s + c.completed, 0);
  const poll = v.open ? { 'hx-get': `/evaluation/${v.campaignId}/turnout`, 'hx-trigger': 'every 5s', 'hx-swap': 'outerHTML' } : {};
  return (
    <section class="card" id="turnout" {...poll}>
      <h2>{e.progress} {v.open && <small class="muted">{e.refreshes}</small>}</h2>
      {v.showOverall && (
        <div class="turnout-grid">
          <div class="turnout-overall">
            <span class="stat-label">{e.overall}</span>
            <span class="stat-value" data-turnout-overall>{percent(completed, assigned)}%</span>
            <span class="muted">{e.completed} {completed} / {e.assigned} {assigned}</span>
          </div>
          <table class="table compact">
            <thead><tr><th>{e.byCategory}</th><th>{e.turnout}</th></tr></thead>
            <tbody>
              {CATEGORIES.map((c) => {
                const row = v.categories.find((x) => x.category === c);
                return row ? <tr data-category={c}><td>{e.category[c]}</td><td><Meter done={row.completed} of={row.assigned} /></td></tr> : null;
              })}
            </tbody>
          </table>
        </div>
      )}
      {v.units.length > 0 && (
        <div class="table-wrap turnout-units">
          <table class="table">
            <thead><tr><th>{e.byUnit}</th><th>{e.turnout}</th>{v.showNames && <th>{e.notVoted}</th>}</tr></thead>
            <tbody>
              {v.units.map((u) => (
                <tr data-unit={u.unitName}>
                  <td>{u.unitName}</td>
                  <td><Meter done={u.completed} of={u.assigned} /></td>
                  {v.showNames && <td class="wrap">{u.pending.length === 0 ? <span class="badge ok">{e.allVoted}</span> : u.pending.map((p) => p.name).join(t.common.listJoin)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Paper(props: { t: EvaluationDictionary; v: CampaignView }) {
  const e = props.t.evaluation;
  const id = props.v.campaign.id;
  return (
    <section class="card" id="paper">
      <h2>{e.paper}</h2>
      <p class="hint">{e.paperHint}</p>
      <Form class="paper-form" action={`/evaluation/${id}/paper`} target="#campaign" multipart>
        <label class="field">
          <span>{e.paperVoters}</span>
          <textarea name="voters" rows={4} aria-describedby="paper-voters-hint"></textarea>
          <small class="hint" id="paper-voters-hint">{e.paperVotersHint}</small>
        </label>
        <div class="inline-form">
          <input type="file" name="file" accept=".csv,text/csv" required aria-label={e.paper} />
          <button class="button" type="submit">{e.upload}</button>
        </div>
      </Form>
    </section>
  );
}

function Summary(props: { t: EvaluationDictionary; v: CampaignView }) {
  const { t, v } = props;
  const e = t.evaluation;
  const c = v.campaign;
  const w = c.weights as Record<string, number>;
  const tpl = v.row;
  return (
    <section class="card">
      <h2>{e.settings}</h2>
      <dl class="facts">
        <dt>{e.kind}</dt><dd>{e.kindName[c.kind]} · {c.year}</dd>
        <dt>{e.window}</dt><dd>{v.window}</dd>
        <dt>{e.template}</dt><dd>{e.templateVersion(tpl.templateName, tpl.templateVersion)}{c.status !== 'draft' && <small class="muted"> · {e.frozenVersion(tpl.templateVersion)}</small>}</dd>
        <dt>{e.weights}</dt><dd>{CATEGORIES.map((k) => `${e.category[k]} ${w[k]}`).join(' · ')}</dd>
      </dl>
    </section>
  );
}

export function CampaignBody(props: { t: EvaluationDictionary; v: CampaignView; turnout: TurnoutView | null; notice?: Notice }) {
  const { t, v } = props;
  const e = t.evaluation;
  const c = v.campaign;
  return (
    <div id="campaign">
      <div class="page-head">
        <div>
          <p class="crumbs"><a href="/evaluation">{e.campaigns}</a></p>
          <h1 class="page-title">{c.title} <StatusBadge t={t} status={c.status} /></h1>
          <p class="muted">{e.kindName[c.kind]} · {c.year} · {v.window}</p>
        </div>
        {v.canManage && (
          <div class="actions">
            {c.status === 'draft' && (
              <Form action={`/evaluation/${c.id}/open`} target="#campaign">
                <button class="button primary" type="submit" data-confirm={e.openConfirm}>{e.open}</button>
              </Form>
            )}
            {c.status === 'open' && (
              <Form action={`/evaluation/${c.id}/close`} target="#campaign">
                <button class="button danger" type="submit" data-confirm={e.closeConfirm}>{e.close}</button>
              </Form>
            )}
          </div>
        )}
      </div>
      <NoticeBox notice={props.notice} />
      {!v.canManage && <p class="alert alert-info">{e.readOnly}</p>}
      {props.turnout && <Turnout t={t} v={props.turnout} />}
      {c.status === 'draft' && v.canManage ? (
        <CampaignForm t={t} values={v.values} templates={v.templates} action={`/evaluation/${c.id}`} target="#campaign" submit={e.saveSettings} issues={v.formIssues} />
      ) : (
        <Summary t={t} v={v} />
      )}
      <Targets t={t} v={v} />
      {(v.canManage || c.status === 'draft') && <Raters t={t} v={v} />}
      {v.canManage && <Codes t={t} v={v} />}
      {v.canManage && c.status === 'open' && <Paper t={t} v={v} />}
    </div>
  );
}
