/**
 * @module
 * The results charts as ECharts options (plain JSON: the page hands them to panel.js in
 * `data-chart`), and the same options rendered to static SVG on the server for printed
 * reports, which must not depend on a browser script.
 */
import { createRequire } from 'node:module';
import type * as ECharts from 'echarts';
import type { SeriesPoint } from '../../../../core/evaluation/results.ts';
import type { Average } from '../../../../core/evaluation/report.ts';
import type { TemplateDefinition } from '../../../../core/evaluation/templates.ts';
import type { EvaluationDictionary } from '../text.ts';

export type ChartOption = Record<string, unknown>;

// ECharts is loaded on first use, from its bundled build: importing its ES modules costs
// seconds at start-up, and only printed reports need it on the server.
const require = createRequire(import.meta.url);
let echarts: typeof ECharts | undefined;
const loadECharts = (): typeof ECharts => (echarts ??= require('echarts') as typeof ECharts);

const RED = '#b4232a';
const PALETTE = [RED, '#1d4ed8', '#9a6700', '#15803d'];

/** The cadre's overall score over the campaigns of one kind (纵向). */
export function seriesChart(t: EvaluationDictionary, points: SeriesPoint[]): ChartOption {
  return {
    // No animation: read at once, printed, and captured in screenshots.
    animation: false,
    color: PALETTE,
    grid: { left: 40, right: 20, top: 20, bottom: 30 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: points.map((p) => String(p.year)) },
    yAxis: { type: 'value', min: 0, max: 100 },
    series: [{ name: t.results.overall, type: 'line', data: points.map((p) => p.overall), label: { show: true }, connectNulls: false, symbolSize: 8 }],
  };
}

/** The cadre against the unit and district averages, per dimension and overall. */
export function averagesChart(t: EvaluationDictionary, def: TemplateDefinition, self: { overall: number | null; dimensions: Record<string, number | null> }, unit: Average | undefined, district: Average): ChartOption {
  const keys = def.dimensions.map((d) => d.key);
  const row = (a: { overall: number | null; dimensions: Record<string, number | null> } | undefined) => [...keys.map((k) => a?.dimensions[k] ?? null), a?.overall ?? null];
  return {
    animation: false,
    color: PALETTE,
    legend: { top: 0 },
    grid: { left: 40, right: 20, top: 36, bottom: 30 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: [...def.dimensions.map((d) => d.label), t.results.overall], axisLabel: { interval: 0 } },
    yAxis: { type: 'value', min: 0, max: 100 },
    series: [
      { name: t.results.self, type: 'bar', data: row(self), barMaxWidth: 18 },
      { name: t.results.unitAverage, type: 'bar', data: row(unit), barMaxWidth: 18 },
      { name: t.results.districtAverage, type: 'bar', data: row(district), barMaxWidth: 18 },
    ],
  };
}

/** How many answers fell on each level of the scale, stacked by who gave them. */
export function distributionChart(def: TemplateDefinition, stacks: Array<{ name: string; distribution: Record<number, number> }>): ChartOption {
  return {
    animation: false,
    color: PALETTE,
    legend: { top: 0 },
    grid: { left: 44, right: 20, top: 36, bottom: 30 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: def.scale.map((l) => l.label) },
    yAxis: { type: 'value', minInterval: 1 },
    series: stacks.map((s) => ({ name: s.name, type: 'bar', stack: 'all', data: def.scale.map((l) => s.distribution[l.score] ?? 0), barMaxWidth: 48 })),
  };
}

/** A unit's targets side by side: overall score per person. */
export function unitChart(t: EvaluationDictionary, rows: Array<{ name: string; overall: number | null }>, average: number | null): ChartOption {
  return {
    animation: false,
    color: PALETTE,
    grid: { left: 40, right: 76, top: 30, bottom: 40 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { interval: 0 } },
    yAxis: { type: 'value', min: 0, max: 100 },
    series: [
      {
        name: t.results.overall,
        type: 'bar',
        data: rows.map((r) => r.overall),
        barMaxWidth: 36,
        label: { show: true, position: 'top' },
        markLine: average == null ? undefined : { symbol: 'none', data: [{ yAxis: average, name: t.results.unitAverage }], label: { position: 'end', formatter: `${t.results.unitAverage}\n${average}` } },
      },
    ],
  };
}

/**
 * The chart as an SVG document, drawn in Node with ECharts' server-side renderer.
 * @example svgOf(seriesChart(t, points), 640, 260) // '<svg width="640" …'
 */
export function svgOf(option: ChartOption, width: number, height: number): string {
  const chart = loadECharts().init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ ...option, animation: false });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
