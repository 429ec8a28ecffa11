/**
 * @module
 * The district-wide comparison over years: every target's overall score and ranks in each
 * published campaign of one kind, one column per year, and the district average as a curve.
 */
import type { ComparisonRow } from '../../../../core/evaluation/results.ts';
import { round2 } from '../../../../core/evaluation/scoring.ts';
import type { EvaluationDictionary } from '../text.ts';
import { Field, Options } from '../../../components/ui.tsx';
import { Chart, fmt } from './parts.tsx';

export const KINDS = ['annual', 'routine', 'special', 'end_of_term'] as const;

export interface ComparePerson {
  cadreId: number;
  name: string;
  unitName: string;
}

export function ComparePage(props: { t: EvaluationDictionary; kind: string; rows: ComparisonRow[]; people: Map<number, ComparePerson>; campaigns: Array<{ id: number; year: number; title: string }> }) {
  const { t, rows, campaigns } = props;
  const byCadre = new Map<number, Map<number, ComparisonRow>>();
  for (const r of rows) {
    const m = byCadre.get(r.cadreId) ?? new Map<number, ComparisonRow>();
    m.set(r.campaignId, r);
    byCadre.set(r.cadreId, m);
  }
  const cadreIds = [...byCadre.keys()].sort((a, b) => (props.people.get(a)?.unitName ?? '').localeCompare(props.people.get(b)?.unitName ?? '', 'zh-CN') || a - b);
  const averages = campaigns.map((c) => {
    const scores = rows.filter((r) => r.campaignId === c.id && r.overall != null).map((r) => r.overall!);
    return scores.length ? round2(scores.reduce((s, x) => s + x, 0) / scores.length) : null;
  });
  const option = {
    animation: false,
    color: ['#b4232a'],
    grid: { left: 40, right: 20, top: 20, bottom: 30 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: campaigns.map((c) => String(c.year)) },
    yAxis: { type: 'value', min: 0, max: 100 },
    series: [{ name: t.results.districtAverage, type: 'line', data: averages, label: { show: true } }],
  };
  return (
    <>
      <div class="page-head">
        <h1>{t.results.compareTitle}</h1>
      </div>
      <form id="compare-filters" class="card" method="get" action="/evaluation/compare">
        <div class="filters">
          <Field label={t.results.kind}>
            <select name="kind">
              <Options selected={props.kind} options={KINDS.map((k) => [k, t.results.kindName[k]!])} />
            </select>
          </Field>
          <span class="spacer"></span>
          <button type="submit" class="button primary">{t.common.filter}</button>
        </div>
      </form>
      {campaigns.length === 0 ? (
        <p class="card muted">{t.results.noCampaigns}</p>
      ) : (
        <>
          <section class="card">
            <h2>{t.results.districtAverage}</h2>
            <Chart option={option} label={t.results.districtAverage} id="chart-compare" />
          </section>
          <section class="card">
            <div class="table-wrap">
              <table class="table" id="compare-table">
                <thead>
                  <tr>
                    <th>{t.results.name}</th>
                    <th>{t.results.unit}</th>
                    {campaigns.map((c) => (
                      <th class="num"><a href={`/evaluation/${c.id}/results`}>{c.year}</a></th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {cadreIds.map((id) => (
                    <tr data-cadre={id}>
                      <td>{props.people.get(id)?.name}</td>
                      <td>{props.people.get(id)?.unitName}</td>
                      {campaigns.map((c) => {
                        const r = byCadre.get(id)!.get(c.id);
                        if (!r) return <td class="num muted">—</td>;
                        return (
                          <td class="num">
                            <a href={`/evaluation/${c.id}/results/${id}`}>{fmt(r.overall)}</a>
                            {r.districtRank && <small class="muted"> #{r.districtRank.rank}</small>}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </>
  );
}
