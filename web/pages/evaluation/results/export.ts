/**
 * @module
 * The results workbook: exactly the filtered targets, on four sheets — summary, dimensions,
 * per-category distributions (hidden categories left out, as on the page) and alerts/flags.
 */
import ExcelJS from 'exceljs';
import type { NamedTarget, ResultsReport } from '../../../../core/evaluation/report.ts';
import { CATEGORIES } from '../../../../core/evaluation/scoring.ts';
import { OVERALL_GRADES } from '../../../../core/evaluation/templates.ts';
import type { EvaluationDictionary } from '../text.ts';

const share = (n: number | null | undefined) => (n == null ? null : Math.round(n * 10000) / 10000);

export async function resultsWorkbook(t: EvaluationDictionary, report: ResultsReport, rows: readonly NamedTarget[], created: Date): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  book.created = created;
  const def = report.definition;
  const r = t.results;
  const head = (sheet: ExcelJS.Worksheet) => {
    sheet.getRow(1).font = { bold: true };
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
  };

  const summary = book.addWorksheet(r.sheets.summary);
  summary.columns = [
    { header: r.name, key: 'name', width: 10 },
    { header: r.unit, key: 'unit', width: 18 },
    { header: r.position, key: 'position', width: 18 },
    { header: r.ballots, key: 'ballots', width: 8 },
    { header: r.overall, key: 'overall', width: 10 },
    { header: r.topShare, key: 'topShare', width: 10 },
    { header: r.unitRank, key: 'unitRank', width: 10 },
    { header: `${r.unitRank} %`, key: 'unitPct', width: 10 },
    { header: r.districtRank, key: 'districtRank', width: 10 },
    { header: `${r.districtRank} %`, key: 'districtPct', width: 10 },
    ...OVERALL_GRADES.map((g) => ({ header: r.gradeName[g.key]!, key: g.key, width: 8 })),
    { header: r.notes, key: 'notes', width: 60 },
  ];
  for (const x of rows) {
    summary.addRow({
      name: x.name,
      unit: x.unitName,
      position: x.position,
      ballots: x.score.ballots,
      overall: x.score.overall,
      topShare: share(x.score.topShare),
      unitRank: x.unitRank ? r.rankOf(x.unitRank.rank, x.unitRank.of) : '',
      unitPct: x.unitRank?.percentile ?? null,
      districtRank: x.districtRank ? r.rankOf(x.districtRank.rank, x.districtRank.of) : '',
      districtPct: x.districtRank?.percentile ?? null,
      ...Object.fromEntries(OVERALL_GRADES.map((g) => [g.key, x.score.grades.counts[g.key]])),
      notes: [...x.score.alerts.map(r.alertText), ...x.score.flags.map(r.flagText)].join(r.reasonsJoin),
    });
  }
  head(summary);

  const dims = book.addWorksheet(r.sheets.dimensions);
  dims.columns = [
    { header: r.name, key: 'name', width: 10 },
    { header: r.unit, key: 'unit', width: 18 },
    ...def.dimensions.map((d) => ({ header: d.label, key: `d_${d.key}`, width: 10 })),
    { header: r.overall, key: 'overall', width: 10 },
  ];
  for (const x of rows) {
    dims.addRow({ name: x.name, unit: x.unitName, ...Object.fromEntries(def.dimensions.map((d) => [`d_${d.key}`, x.score.dimensions[d.key]])), overall: x.score.overall });
  }
  head(dims);

  // One row per (target, shown category); a target's hidden categories appear nowhere here.
  const cats = book.addWorksheet(r.sheets.categories);
  cats.columns = [
    { header: r.name, key: 'name', width: 10 },
    { header: r.unit, key: 'unit', width: 18 },
    { header: r.categoryHeader, key: 'category', width: 10 },
    { header: r.ballots, key: 'ballots', width: 8 },
    { header: r.mean, key: 'mean', width: 8 },
    ...def.scale.map((l) => ({ header: l.label, key: `l_${l.score}`, width: 8 })),
    { header: r.topShare, key: 'topShare', width: 10 },
  ];
  for (const x of rows) {
    for (const c of CATEGORIES) {
      const b = x.score.categories[c];
      if (!b) continue;
      cats.addRow({ name: x.name, unit: x.unitName, category: r.category[c], ballots: b.ballots, mean: b.mean, ...Object.fromEntries(def.scale.map((l) => [`l_${l.score}`, b.distribution[l.score] ?? 0])), topShare: share(b.topShare) });
    }
  }
  head(cats);

  const alerts = book.addWorksheet(r.sheets.alerts);
  alerts.columns = [
    { header: r.name, key: 'name', width: 10 },
    { header: r.unit, key: 'unit', width: 18 },
    { header: r.rule, key: 'rule', width: 8 },
    { header: r.detail, key: 'detail', width: 70 },
  ];
  for (const x of rows) {
    for (const a of x.score.alerts) alerts.addRow({ name: x.name, unit: x.unitName, rule: r.alert, detail: r.alertText(a) });
    for (const f of x.score.flags) alerts.addRow({ name: x.name, unit: x.unitName, rule: r.flag, detail: r.flagText(f) });
    if (x.score.flaggedBallots) alerts.addRow({ name: x.name, unit: x.unitName, rule: r.flag, detail: r.flaggedBallots(x.score.flaggedBallots) });
  }
  head(alerts);

  return new Uint8Array((await book.xlsx.writeBuffer()) as ArrayBuffer);
}
