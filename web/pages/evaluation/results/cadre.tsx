/**
 * @module
 * One cadre's results: headline figures, alerts, per-dimension scores against the unit and
 * district averages, the distribution of ratings per rater category (small categories hidden
 * as scoring.ts decides), overall grades, comments, and the curve over the years. The same
 * body serves the page (charts drawn in the browser) and the printed report (static SVG).
 */
import type { Child } from 'hono/jsx';
import type { NamedTarget, ResultsReport } from '../../../../core/evaluation/report.ts';
import type { SeriesPoint } from '../../../../core/evaluation/results.ts';
import { CATEGORIES } from '../../../../core/evaluation/scoring.ts';
import { OVERALL_GRADES } from '../../../../core/evaluation/templates.ts';
import type { EvaluationDictionary } from '../text.ts';
import { averagesChart, distributionChart, seriesChart, type ChartOption } from './charts.ts';
import { fmt, Notes, pct, RankCell } from './parts.tsx';

/** Draws a chart: in the page a `data-chart` element, in a printed report an inline SVG. */
export type ChartSlot = (option: ChartOption, label: string, id: string) => Child;

export interface CadreResultsData {
  report: ResultsReport;
  target: NamedTarget;
  series: SeriesPoint[];
  comments: string[];
}

/** The distribution stacks: visible categories, and the hidden ones only together. */
export function distributionStacks(t: EvaluationDictionary, target: NamedTarget): Array<{ name: string; distribution: Record<number, number> }> {
  const stacks = CATEGORIES.filter((c) => target.score.categories[c]).map((c) => ({ name: t.results.category[c]!, distribution: target.score.categories[c]!.distribution }));
  if (target.score.hiddenCategories.length) {
    const rest: Record<number, number> = { ...target.score.distribution };
    for (const s of stacks) for (const [k, n] of Object.entries(s.distribution)) rest[Number(k)] = (rest[Number(k)] ?? 0) - n;
    stacks.push({ name: target.score.hiddenCategories.map((c) => t.results.category[c]).join(t.results.listSeparator), distribution: rest });
  }
  return stacks;
}

export function CadreResults(props: { t: EvaluationDictionary; data: CadreResultsData; chart: ChartSlot }) {
  const { t, data, chart } = props;
  const { report, target } = data;
  const s = target.score;
  const def = report.definition;
  const stat = (label: string, value: Child, id?: string) => (
    <div class="stat" id={id}>
      <span class="stat-label">{label}</span>
      <span class="stat-value">{value}</span>
    </div>
  );
  const unitAverage = report.unitAverages.get(target.unitId);
  return (
    <>
      <section class="stats">
        {stat(t.results.overall, fmt(s.overall), 'stat-overall')}
        {stat(t.results.unitRank, <RankCell t={t} rank={target.unitRank} />, 'stat-unit-rank')}
        {stat(t.results.districtRank, <RankCell t={t} rank={target.districtRank} />, 'stat-district-rank')}
        {stat(t.results.topShare, pct(s.topShare), 'stat-top-share')}
      </section>
      {(s.alerts.length > 0 || s.flags.length > 0 || s.flaggedBallots > 0) && (
        <section class="card" id="cadre-notes">
          <h2>{t.results.notes}</h2>
          <Notes t={t} score={s} block />
        </section>
      )}
      <div class="grid-2 results-grid">
        <section class="card keep">
          <h2>{t.results.dimensions}</h2>
          <table class="table compact" id="dimension-table">
            <thead>
              <tr><th>{t.results.dimension}</th><th class="num">{t.results.self}</th><th class="num">{t.results.unitAverage}</th><th class="num">{t.results.districtAverage}</th></tr>
            </thead>
            <tbody>
              {def.dimensions.map((d) => (
                <tr><td>{d.label}</td><td class="num">{fmt(s.dimensions[d.key])}</td><td class="num">{fmt(unitAverage?.dimensions[d.key])}</td><td class="num">{fmt(report.district.dimensions[d.key])}</td></tr>
              ))}
              <tr class="total"><td>{t.results.overall}</td><td class="num"><strong>{fmt(s.overall)}</strong></td><td class="num">{fmt(unitAverage?.overall)}</td><td class="num">{fmt(report.district.overall)}</td></tr>
            </tbody>
          </table>
          <p class="muted small">
            {t.common.labelled(t.results.weights, CATEGORIES.filter((c) => s.weightsApplied[c] != null).map((c) => `${t.results.category[c]} ${Math.round(s.weightsApplied[c]! * 1000) / 10}%`).join('　'))}
          </p>
        </section>
        <section class="card keep">
          <h2>{t.results.vsAverages}</h2>
          {chart(averagesChart(t, def, s, unitAverage, report.district), t.results.vsAverages, 'chart-averages')}
        </section>
      </div>
      <section class="card keep" id="categories">
        <h2>{t.results.byCategory}</h2>
        <div class="table-wrap">
          <table class="table compact" id="category-table">
            <thead>
              <tr>
                <th>{t.results.categoryHeader}</th>
                <th class="num">{t.results.ballots}</th>
                <th class="num">{t.results.mean}</th>
                {def.scale.map((l) => <th class="num">{l.label}</th>)}
                <th class="num">{t.results.topShare}</th>
              </tr>
            </thead>
            <tbody>
              {CATEGORIES.filter((c) => s.categories[c]).map((c) => {
                const b = s.categories[c]!;
                return (
                  <tr data-category={c}>
                    <td>{t.results.category[c]}</td>
                    <td class="num">{b.ballots}</td>
                    <td class="num">{fmt(b.mean)}</td>
                    {def.scale.map((l) => <td class="num">{b.distribution[l.score] ?? 0}</td>)}
                    <td class="num">{pct(b.topShare)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {s.hiddenCategories.length > 0 && (
          <p class="muted small" id="hidden-note">{t.results.hidden(s.hiddenCategories.map((c) => t.results.category[c]).join(t.results.listSeparator))}</p>
        )}
        {s.ballots > 0 ? chart(distributionChart(def, distributionStacks(t, target)), t.results.distribution, 'chart-distribution') : <p class="muted">{t.results.noBallots}</p>}
      </section>
      <div class="grid-2 results-grid">
        <section class="card keep" id="grades">
          <h2>{t.results.gradeShares}</h2>
          <table class="table compact">
            <thead><tr><th>{t.results.grades}</th><th class="num">{t.results.count}</th><th class="num">{t.results.share}</th></tr></thead>
            <tbody>
              {OVERALL_GRADES.map((g) => (
                <tr data-grade={g.key}>
                  <td>{t.results.gradeName[g.key]}</td>
                  <td class="num">{s.grades.counts[g.key]}</td>
                  <td class="num">{s.grades.graded ? pct(s.grades.counts[g.key] / s.grades.graded) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="card keep">
          <h2>{t.results.series}</h2>
          {chart(seriesChart(t, data.series), t.results.series, 'chart-series')}
          {data.series.length <= 1 && <p class="muted small">{t.results.seriesEmpty}</p>}
        </section>
      </div>
      <section class="card" id="comments">
        <h2>{t.results.comments}</h2>
        {data.comments.length === 0 ? (
          <p class="muted">{t.results.noComments}</p>
        ) : (
          <ol class="comments">
            {data.comments.map((text) => <li>{text}</li>)}
          </ol>
        )}
      </section>
    </>
  );
}
