/**
 * @module
 * The campaign results page: every visible target with the weighted overall and per-dimension
 * scores, 好评率, ranks and percentiles in unit and district, overall-grade shares, and the
 * alerts and flags with their figures; filters and sort in the URL; the alert rules.
 */
import { RESULT_SORTS, type NamedTarget, type ResultFilters, type ResultsReport } from '../../../../core/evaluation/report.ts';
import { OVERALL_GRADES } from '../../../../core/evaluation/templates.ts';
import type { AlertRules } from '../../../../core/evaluation/scoring.ts';
import type { EvaluationDictionary } from '../text.ts';
import { Field, Options, withQuery } from '../../../components/ui.tsx';
import { fmt, GradeCells, hasNotes, Notes, pct, RankCell } from './parts.tsx';

export function filterParams(f: ResultFilters): Record<string, unknown> {
  return { unit: f.unit, sort: f.sort === 'unit' ? undefined : f.sort, dir: f.dir, flagged: f.flagged ? '1' : undefined };
}

export function ResultsTable(props: { t: EvaluationDictionary; report: ResultsReport; rows: NamedTarget[]; f: ResultFilters; oob?: boolean }) {
  const { t, report, rows, f } = props;
  const base = `/evaluation/${report.campaign.id}/results`;
  const dims = report.definition.dimensions;
  const params = filterParams(f);
  const columns = 8 + dims.length + OVERALL_GRADES.length;
  return (
    <div id="results-inner">
      <p class="muted" id="results-summary">{t.results.summary(rows.length, rows.filter((r) => r.score.alerts.length > 0).length)}</p>
      <div class="table-wrap">
        <table class="table results-table" id="results-table">
          <thead>
            <tr>
              <th>{t.results.name}</th>
              <th>{t.results.unit}</th>
              <th class="num">{t.results.ballots}</th>
              <th class="num">{t.results.overall}</th>
              {dims.map((d) => <th class="num">{d.label}</th>)}
              <th class="num">{t.results.topShare}</th>
              <th>{t.results.unitRank}</th>
              <th>{t.results.districtRank}</th>
              {OVERALL_GRADES.map((g) => <th class="num">{t.results.gradeName[g.key]}</th>)}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colspan={columns} class="empty">{t.common.empty}</td>
              </tr>
            )}
            {rows.map((r) => (
              <>
              <tr data-cadre={r.cadreId} class={r.score.alerts.length ? 'row-alert' : hasNotes(r) ? 'row-flag' : undefined}>
                <td>
                  <a class="target-link" href={`${base}/${r.cadreId}`}>{r.name}</a>
                  <div class="muted small">{r.position}</div>
                </td>
                <td><a href={`${base}/unit/${r.unitId}`}>{r.unitName}</a></td>
                <td class="num">{r.score.ballots}</td>
                <td class="num overall"><strong>{fmt(r.score.overall)}</strong></td>
                {dims.map((d) => <td class="num">{fmt(r.score.dimensions[d.key])}</td>)}
                <td class="num">{pct(r.score.topShare)}</td>
                <td><RankCell t={t} rank={r.unitRank} /></td>
                <td><RankCell t={t} rank={r.districtRank} /></td>
                <GradeCells t={t} score={r.score} />
              </tr>
              {/* Alerts and flags get the row's full width below it: they carry their figures. */}
              {hasNotes(r) && (
                <tr class={`notes-row ${r.score.alerts.length ? 'row-alert' : 'row-flag'}`} data-notes-for={r.cadreId}>
                  <td colspan={columns}><Notes t={t} score={r.score} /></td>
                </tr>
              )}
              </>
            ))}
          </tbody>
        </table>
      </div>
      {props.oob && (
        <a id="export-link" hx-swap-oob="true" class="button" href={withQuery(`${base}/export.xlsx`, params)} download>
          {t.results.export}
        </a>
      )}
    </div>
  );
}

export function RulesCard(props: { t: EvaluationDictionary; campaignId: number; rules: AlertRules; canEdit: boolean; error?: string; saved?: boolean }) {
  const { t, rules } = props;
  const asPct = (x: number) => String(Math.round(x * 10000) / 100);
  return (
    <section class="card" id="alert-rules">
      <h2>{t.results.rules}</h2>
      {props.saved && <p class="alert alert-ok" role="status">{t.results.rulesSaved}</p>}
      {props.error && <p class="alert alert-error" role="alert">{props.error}</p>}
      <ul class="rule-list">
        <li>{t.results.ruleExcellent(`${asPct(rules.minExcellentCompetentShare)}%`)}</li>
        <li>{t.results.ruleIncompetent(`${asPct(rules.maxIncompetentShare)}%`)}</li>
      </ul>
      {props.canEdit && (
        <form class="inline-form" method="post" action={`/evaluation/${props.campaignId}/results/rules`}>
          <Field label={t.results.minExcellent}><input name="minExcellent" inputmode="decimal" value={asPct(rules.minExcellentCompetentShare)} size={6} /></Field>
          <Field label={t.results.maxIncompetent}><input name="maxIncompetent" inputmode="decimal" value={asPct(rules.maxIncompetentShare)} size={6} /></Field>
          <button type="submit" class="button">{t.results.saveRules}</button>
        </form>
      )}
    </section>
  );
}

export function ResultsPage(props: { t: EvaluationDictionary; report: ResultsReport; rows: NamedTarget[]; f: ResultFilters; canEditRules: boolean; rulesSaved?: boolean; rulesError?: string }) {
  const { t, report, f } = props;
  const c = report.campaign;
  const base = `/evaluation/${c.id}/results`;
  const params = filterParams(f);
  return (
    <>
      <div class="page-head">
        <div>
          <h1>{c.title} · {t.results.title}</h1>
          <div class="muted">
            {c.year} · {t.results.kindName[c.kind]} · <span class={`badge ${c.status === 'closed' ? 'ok' : 'warn'}`}>{t.results.status[c.status]}</span>
          </div>
        </div>
        <div class="actions">
          <a class="button" href={withQuery('/evaluation/compare', { kind: c.kind })}>{t.results.compare}</a>
          <a id="export-link" class="button" href={withQuery(`${base}/export.xlsx`, params)} download>{t.results.export}</a>
        </div>
      </div>
      <form id="results-filters" class="card" method="get" action={base} hx-get={base} hx-trigger="change, submit" hx-target="#results" hx-push-url="true" hx-sync="this:replace">
        <div class="filters">
          <Field label={t.results.unit}>
            <select name="unit">
              <Options blank={t.results.allUnits} selected={f.unit} options={report.units.map((u) => [u.id, u.name])} />
            </select>
          </Field>
          <Field label={t.results.sort}>
            <select name="sort">
              <Options selected={f.sort} options={RESULT_SORTS.map((s) => [s, t.results.sortBy[s]!])} />
            </select>
          </Field>
          <Field label={'\u00a0'}>
            <select name="dir" aria-label={t.results.sort}>
              <Options selected={f.dir} options={[['asc', t.results.asc], ['desc', t.results.desc]]} />
            </select>
          </Field>
          <label class="check"><input type="checkbox" name="flagged" value="1" checked={f.flagged === true} /> {t.results.onlyFlagged}</label>
          <span class="spacer"></span>
          <noscript><button type="submit" class="button primary">{t.common.filter}</button></noscript>
        </div>
      </form>
      <div id="results">
        <ResultsTable t={t} report={report} rows={props.rows} f={f} />
      </div>
      <RulesCard t={t} campaignId={c.id} rules={report.alertRules} canEdit={props.canEditRules} saved={props.rulesSaved} error={props.rulesError} />
    </>
  );
}
