/**
 * @module
 * One unit's results: its leaders' overall scores against the unit average, the distribution of
 * every rating its leaders received, and their table.
 */
import type { NamedTarget, ResultsReport } from '../../../../core/evaluation/report.ts';
import type { EvaluationDictionary } from '../text.ts';
import { distributionChart, unitChart } from './charts.ts';
import type { ChartSlot } from './cadre.tsx';
import { fmt, GradeCells, hasNotes, Notes, pct, RankCell } from './parts.tsx';
import { OVERALL_GRADES } from '../../../../core/evaluation/templates.ts';

export function unitDistribution(rows: readonly NamedTarget[]): Record<number, number> {
  const total: Record<number, number> = {};
  for (const r of rows) for (const [k, n] of Object.entries(r.score.distribution)) total[Number(k)] = (total[Number(k)] ?? 0) + n;
  return total;
}

export function UnitResults(props: { t: EvaluationDictionary; report: ResultsReport; unitId: number; rows: NamedTarget[]; chart: ChartSlot; linkBase?: string }) {
  const { t, report, rows, chart } = props;
  const def = report.definition;
  const average = report.unitAverages.get(props.unitId);
  return (
    <>
      <div class="grid-2 results-grid">
        <section class="card keep">
          <h2>{t.results.overall}</h2>
          {chart(unitChart(t, rows.map((r) => ({ name: r.name, overall: r.score.overall })), average?.overall ?? null), t.results.overall, 'chart-unit')}
        </section>
        <section class="card keep">
          <h2>{t.results.distribution}</h2>
          {chart(distributionChart(def, [{ name: t.results.leaders, distribution: unitDistribution(rows) }]), t.results.distribution, 'chart-unit-distribution')}
        </section>
      </div>
      <section class="card keep">
        <h2>{t.results.leaders}</h2>
        <div class="table-wrap">
          <table class="table results-table" id="unit-table">
            <thead>
              <tr>
                <th>{t.results.name}</th>
                <th>{t.results.position}</th>
                <th class="num">{t.results.ballots}</th>
                <th class="num">{t.results.overall}</th>
                {def.dimensions.map((d) => <th class="num">{d.label}</th>)}
                <th class="num">{t.results.topShare}</th>
                <th>{t.results.unitRank}</th>
                <th>{t.results.districtRank}</th>
                {OVERALL_GRADES.map((g) => <th class="num">{t.results.gradeName[g.key]}</th>)}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <>
                <tr data-cadre={r.cadreId} class={r.score.alerts.length ? 'row-alert' : hasNotes(r) ? 'row-flag' : undefined}>
                  <td>{props.linkBase ? <a class="target-link" href={`${props.linkBase}/${r.cadreId}`}>{r.name}</a> : r.name}</td>
                  <td>{r.position}</td>
                  <td class="num">{r.score.ballots}</td>
                  <td class="num"><strong>{fmt(r.score.overall)}</strong></td>
                  {def.dimensions.map((d) => <td class="num">{fmt(r.score.dimensions[d.key])}</td>)}
                  <td class="num">{pct(r.score.topShare)}</td>
                  <td><RankCell t={t} rank={r.unitRank} /></td>
                  <td><RankCell t={t} rank={r.districtRank} /></td>
                  <GradeCells t={t} score={r.score} />
                </tr>
                {hasNotes(r) && (
                  <tr class={`notes-row ${r.score.alerts.length ? 'row-alert' : 'row-flag'}`} data-notes-for={r.cadreId}>
                    <td colspan={8 + def.dimensions.length + OVERALL_GRADES.length}><Notes t={t} score={r.score} /></td>
                  </tr>
                )}
                </>
              ))}
              <tr class="total">
                <td>{t.results.unitAverageRow}</td>
                <td></td>
                <td></td>
                <td class="num">{fmt(average?.overall)}</td>
                {def.dimensions.map((d) => <td class="num">{fmt(average?.dimensions[d.key])}</td>)}
                <td colspan={3 + OVERALL_GRADES.length}></td>
              </tr>
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
