import { describe, expect, it } from 'vitest';
import { averageOf, filterTargets, parseResultFilters, type NamedTarget } from '../../core/evaluation/report.ts';
import { svgOf, seriesChart } from '../../web/pages/evaluation/results/charts.ts';
import { evaluationDictionary } from '../../web/pages/evaluation/text.ts';

/** A target with only the fields the filters read. */
function target(cadreId: number, unitId: number, name: string, overall: number | null, alerts = 0): NamedTarget {
  return {
    cadreId,
    unitId,
    name,
    position: '',
    unitName: '',
    unitRank: null,
    districtRank: null,
    score: {
      overall,
      dimensions: { virtue: overall },
      topShare: overall == null ? null : overall / 100,
      ballots: 0,
      flaggedBallots: 0,
      weightsApplied: {},
      categories: {},
      hiddenCategories: [],
      distribution: {},
      grades: { graded: 0, counts: { excellent: 0, competent: 0, basically_competent: 0, incompetent: 0 }, excellentCompetentShare: null, incompetentShare: null },
      alerts: Array.from({ length: alerts }, () => ({ rule: 'incompetent_high' as const, message: 'x', share: 0.5, threshold: 0.33, count: 1, graded: 2 })),
      flags: [],
    },
  };
}

describe('results report rules', () => {
  it('averages each target once and leaves out targets without a score', () => {
    const avg = averageOf([target(1, 1, 'a', 80), target(2, 1, 'b', 90), target(3, 1, 'c', null)]);
    expect(avg).toEqual({ targets: 3, overall: 85, dimensions: { virtue: 85 } });
    // (82.5 + 80 + 80 + 80) / 4 = 80.625, shown to 2 decimals.
    expect(averageOf([82.5, 80, 80, 80].map((s, i) => target(i, 1, '', s))).overall).toBe(80.63);
    expect(averageOf([]).overall).toBeNull();
  });

  it('filters by unit and alerts, sorts with empty scores last either way', () => {
    const rows = [target(1, 1, '乙', 70), target(2, 2, '甲', null), target(3, 1, '丙', 90, 1), target(4, 2, '丁', 80)];
    const ids = (f: Record<string, string>) => filterTargets(rows, parseResultFilters(f)).map((r) => r.cadreId);
    expect(ids({})).toEqual([1, 2, 3, 4]);
    expect(ids({ unit: '2' })).toEqual([2, 4]);
    expect(ids({ sort: 'overall' })).toEqual([3, 4, 1, 2]);
    expect(ids({ sort: 'overall', dir: 'asc' })).toEqual([1, 4, 3, 2]);
    expect(ids({ flagged: '1' })).toEqual([3]);
    expect(ids({ sort: 'bogus', unit: '-3' })).toEqual([1, 2, 3, 4]);
  });

  it('renders a chart to static SVG in Node, text escaped', () => {
    const svg = svgOf(seriesChart(evaluationDictionary('zh'), [{ campaignId: 1, year: 2025, title: '<b>', overall: 80, ballots: 3 }, { campaignId: 2, year: 2026, title: 'x', overall: 82.5, ballots: 10 }]), 400, 200);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('2026');
    expect(svg).toContain('82.5');
    const hostile = svgOf({ xAxis: { type: 'category', data: ['<script>x</script>'] }, yAxis: {}, series: [{ type: 'bar', data: [1] }] }, 300, 200);
    expect(hostile).not.toContain('<script>');
  });
});
