/**
 * @module
 * Small pieces the results pages share: number formats, rank cells, grade counts, the
 * alert/flag badges with their figures, and the chart container.
 */
import type { NamedTarget } from '../../../../core/evaluation/report.ts';
import type { Ranked, TargetScore } from '../../../../core/evaluation/scoring.ts';
import { OVERALL_GRADES } from '../../../../core/evaluation/templates.ts';
import type { EvaluationDictionary } from '../text.ts';
import type { ChartOption } from './charts.ts';

export const fmt = (n: number | null | undefined) => (n == null ? '—' : n.toFixed(2));
export const pct = (n: number | null | undefined) => (n == null ? '—' : `${(Math.round(n * 1000) / 10).toFixed(1)}%`);

export function RankCell(props: { t: EvaluationDictionary; rank: Ranked | null }) {
  if (!props.rank) return <span class="muted">—</span>;
  return (
    <>
      <span class="rank">{props.t.results.rankOf(props.rank.rank, props.rank.of)}</span>
      <small class="muted pct-line"> {props.t.results.percentile(props.rank.percentile)}</small>
    </>
  );
}

/** "优秀 4 (28.6%)" for each grade, in one cell. */
export function GradeCells(props: { t: EvaluationDictionary; score: TargetScore }) {
  const g = props.score.grades;
  return (
    <>
      {OVERALL_GRADES.map((grade) => (
        <td class="num" data-grade={grade.key}>
          {g.graded === 0 ? <span class="muted">—</span> : <>{g.counts[grade.key]} <small class="muted pct-line">{pct(g.counts[grade.key] / g.graded)}</small></>}
        </td>
      ))}
    </>
  );
}

/** Alerts (red) and flags (amber), each with the figures behind it. */
export function Notes(props: { t: EvaluationDictionary; score: TargetScore; block?: boolean }) {
  const { t, score } = props;
  const items = [
    ...score.alerts.map((a) => <span class="badge err note" data-rule={a.rule} title={t.results.alertText(a)}>{t.results.labelled(t.results.alert, t.results.alertText(a))}</span>),
    ...score.flags.map((f) => <span class="badge warn note" data-rule={f.rule} title={t.results.flagText(f)}>{t.results.labelled(t.results.flag, t.results.flagText(f))}</span>),
    ...(score.flaggedBallots > 0 ? [<span class="badge warn note" data-rule="flagged_ballots">{t.results.flaggedBallots(score.flaggedBallots)}</span>] : []),
  ];
  if (items.length === 0) return <span class="muted">—</span>;
  return <div class={props.block ? 'notes block' : 'notes'}>{items}</div>;
}

export function hasNotes(target: Pick<NamedTarget, 'score'>): boolean {
  return target.score.alerts.length > 0 || target.score.flags.length > 0 || target.score.flaggedBallots > 0;
}

/** A chart drawn by panel.js from its options, with a table underneath for no-script readers. */
export function Chart(props: { option: ChartOption; label: string; id?: string; tall?: boolean; children?: unknown }) {
  return (
    <>
      <div class={props.tall ? 'chart tall' : 'chart'} id={props.id} data-chart={JSON.stringify(props.option)} role="img" aria-label={props.label}></div>
      {props.children ? <div class="chart-fallback">{props.children as never}</div> : null}
    </>
  );
}
