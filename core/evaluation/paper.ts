/**
 * @module
 * Paper ballots read by an optical scanner (the department's old way, still used where raters
 * are not on Lark). The scanner exports a CSV with one row per ballot per target:
 *
 *   问卷编号,类别,被评价人编号,<one column per item, headed by its label or key>,总体评价,意见建议
 *
 * 类别 is 上级/同级/下级/群众; 被评价人编号 the target's employee number (or cadre id); item cells
 * hold a level's label (好), key (good) or letter (A = the first level); 总体评价 is 优秀/称职/
 * 基本称职/不称职 when the questionnaire asks for it. Every row is checked first and every
 * error reported with its line; only a file without errors is counted, all of it in one
 * transaction. The sheet number (问卷编号) only groups rows while checking and is not stored.
 */
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { evaluationPaperBatches, evaluationTargets, type OverallGrade, type RaterCategory } from '../../db/schema/evaluation.ts';
import { cadres } from '../../db/schema/org.ts';
import { audit } from '../audit.ts';
import type { Clock } from '../clock.ts';
import { parseCsv } from '../csv.ts';
import { shuffled } from './ballot-box.ts';
import { ballotContext, insertSlips, slipShape, type CheckedBallot } from './ballots.ts';
import type { ValidityRules } from './campaigns.ts';
import { EvaluationError } from './errors.ts';
import { CATEGORY_LABELS } from './scoring.ts';
import { OVERALL_GRADES, templateItems, type TemplateDefinition } from './templates.ts';
import { localDay } from './timezone.ts';

const CATEGORY_BY_LABEL = new Map<string, RaterCategory>(Object.entries(CATEGORY_LABELS).map(([k, v]) => [v, k as RaterCategory]));
const GRADE_BY_LABEL = new Map<string, OverallGrade>(OVERALL_GRADES.map((g) => [g.label, g.key]));

export interface PaperTarget {
  cadreId: number;
  unitId: number;
  employeeNo: string | null;
}

export interface ParsedPaper {
  ballots: Array<{ category: RaterCategory; ballot: CheckedBallot }>;
  rows: number;
  errors: string[];
}

/** Checks a scanner CSV against the questionnaire and the campaign's targets; pure. */
export function parsePaperCsv(text: string, def: TemplateDefinition, targets: readonly PaperTarget[], rules: ValidityRules): ParsedPaper {
  const errors: string[] = [];
  const table = parseCsv(text).filter((r) => r.some((cell) => cell.trim() !== ''));
  const header = (table[0] ?? []).map((h) => h.trim());
  const col = (name: string) => header.indexOf(name);
  const items = templateItems(def);
  const itemColumns = items.map((item) => ({ item, index: header.findIndex((h) => h === item.label || h === item.key) }));
  for (const required of ['问卷编号', '类别', '被评价人编号']) if (col(required) < 0) errors.push(`第 1 行：缺少“${required}”列`);
  for (const { item, index } of itemColumns) if (index < 0) errors.push(`第 1 行：缺少测评项目“${item.label}”列`);
  if (def.overallGrade && col('总体评价') < 0) errors.push('第 1 行：缺少“总体评价”列');
  if (errors.length) return { ballots: [], rows: 0, errors };
  if (table.length < 2) return { ballots: [], rows: 0, errors: ['文件中没有选票'] };

  const levelOf = (cell: string) => {
    const v = cell.trim();
    const byLetter = /^[A-Za-z]$/.test(v) ? def.scale[v.toUpperCase().charCodeAt(0) - 65] : undefined;
    return def.scale.find((l) => l.label === v || l.key === v) ?? byLetter;
  };
  const byNumber = new Map<string, PaperTarget>();
  for (const t of targets) {
    byNumber.set(String(t.cadreId), t);
    if (t.employeeNo) byNumber.set(t.employeeNo, t);
  }
  const sheets = new Map<string, { line: number; category: RaterCategory; slips: CheckedBallot['slips'] }>();
  const commentCol = col('意见建议');
  // Sheets with a bad row are not also reported as incomplete: one mistake, one message.
  const brokenSheets = new Set<string>();

  table.slice(1).forEach((cells, i) => {
    const line = i + 2;
    const at = (c: number) => (cells[c] ?? '').trim();
    const sheetNo = at(col('问卷编号'));
    const rowErrors: string[] = [];
    if (!sheetNo) rowErrors.push('问卷编号为空');
    const category = CATEGORY_BY_LABEL.get(at(col('类别')));
    if (!category) rowErrors.push(`类别“${at(col('类别'))}”无效（应为上级、同级、下级或群众）`);
    const target = byNumber.get(at(col('被评价人编号')));
    if (!target) rowErrors.push(`被评价人编号“${at(col('被评价人编号'))}”不是本次测评对象`);
    const scores: Record<string, number> = {};
    for (const { item, index } of itemColumns) {
      const level = levelOf(at(index));
      if (!level) rowErrors.push(at(index) ? `“${item.label}”的选项“${at(index)}”无效` : `“${item.label}”未填涂`);
      else scores[item.key] = level.score;
    }
    let grade: OverallGrade | null = null;
    if (def.overallGrade) {
      grade = GRADE_BY_LABEL.get(at(col('总体评价'))) ?? null;
      if (!grade) rowErrors.push(at(col('总体评价')) ? `总体评价“${at(col('总体评价'))}”无效` : '总体评价未填涂');
    }
    const comment = commentCol >= 0 && def.allowComment ? at(commentCol) || null : null;
    const sheet = sheetNo ? sheets.get(sheetNo) : undefined;
    if (sheet && category && sheet.category !== category) rowErrors.push(`问卷 ${sheetNo} 的类别与第 ${sheet.line} 行不一致`);
    if (sheet && target && sheet.slips.some((s) => s.targetId === target.cadreId)) rowErrors.push(`问卷 ${sheetNo} 重复评价了同一对象`);
    if (rowErrors.length) {
      errors.push(`第 ${line} 行：${rowErrors.join('；')}`);
      if (sheetNo) brokenSheets.add(sheetNo);
      return;
    }
    const entry = sheet ?? { line, category: category!, slips: [] };
    entry.slips.push({ targetId: target!.cadreId, scores, grade, comment });
    sheets.set(sheetNo, entry);
  });

  // A sheet covers whole leadership teams: every target of each unit it touches (a peer's sheet
  // leaves out its rater, so it may miss one).
  const unitOf = new Map(targets.map((t) => [t.cadreId, t.unitId]));
  const perUnit = new Map<number, number>();
  for (const t of targets) perUnit.set(t.unitId, (perUnit.get(t.unitId) ?? 0) + 1);
  const ballots: ParsedPaper['ballots'] = [];
  const topScore = def.scale[0]!.score;
  for (const [sheetNo, sheet] of sheets) {
    const units = new Set(sheet.slips.map((s) => unitOf.get(s.targetId)!));
    const expected = [...units].reduce((n, u) => n + perUnit.get(u)!, 0);
    const missing = expected - sheet.slips.length - (sheet.category === 'peer' ? 1 : 0);
    if (missing > 0 && !brokenSheets.has(sheetNo)) errors.push(`问卷 ${sheetNo}（第 ${sheet.line} 行起）漏评 ${missing} 位评价对象`);
    const scores = sheet.slips.flatMap((s) => Object.values(s.scores));
    const flagged = rules.maxTopShare != null && scores.length > 0 && scores.filter((x) => x === topScore).length / scores.length > rules.maxTopShare;
    ballots.push({ category: sheet.category, ballot: { slips: sheet.slips, flagged } });
  }
  return { ballots, rows: table.length - 1, errors };
}

/**
 * Imports a scanner CSV into the campaign's tally, all or nothing. Errors list every bad row
 * (EvaluationError 'invalid_paper'); the same file twice is refused.
 */
export async function importPaperBallots(
  db: Db,
  input: { campaignId: number; fileName: string; content: string; clock: Clock; tz: string; actorId: number | null },
): Promise<{ batchId: number; ballots: number; slips: number }> {
  const context = await ballotContext(db, input.campaignId);
  if (!context) throw new EvaluationError('campaign_not_found', '找不到该测评');
  if (context.campaign.status === 'draft') throw new EvaluationError('not_open', '测评尚未发布，不能导入纸质选票');
  const targets = await db
    .select({ cadreId: evaluationTargets.cadreId, unitId: evaluationTargets.unitId, employeeNo: cadres.employeeNo })
    .from(evaluationTargets)
    .innerJoin(cadres, eq(cadres.id, evaluationTargets.cadreId))
    .where(eq(evaluationTargets.campaignId, input.campaignId));
  const parsed = parsePaperCsv(input.content, context.definition, targets, context.campaign.validityRules as ValidityRules);
  if (parsed.errors.length) {
    throw new EvaluationError('invalid_paper', `导入失败：共 ${parsed.errors.length} 处错误，未导入任何选票`, parsed.errors);
  }
  const fileSha256 = createHash('sha256').update(input.content).digest('hex');
  const slips = parsed.ballots.reduce((n, b) => n + b.ballot.slips.length, 0);
  return db.transaction(async (tx) => {
    const [batch] = await tx
      .insert(evaluationPaperBatches)
      .values({ campaignId: input.campaignId, fileName: input.fileName, fileSha256, ballots: parsed.ballots.length, rows: parsed.rows, importedBy: input.actorId })
      .onConflictDoNothing()
      .returning({ id: evaluationPaperBatches.id });
    if (!batch) throw new EvaluationError('duplicate_paper', '该文件已导入过，不能重复计票');
    const day = localDay(input.clock.now(), input.tz);
    // Slips go in one by one in random order, so a sheet's slips do not sit together.
    const loose = shuffled(parsed.ballots.flatMap((b) => b.ballot.slips.map((slip) => ({ category: b.category, flagged: b.ballot.flagged, slip }))));
    for (const group of chunk(loose, 500)) {
      for (const category of new Set(group.map((g) => g.category))) {
        for (const flagged of [false, true]) {
          const part = group.filter((g) => g.category === category && g.flagged === flagged).map((g) => g.slip);
          if (part.length) await insertSlips(tx, { campaignId: input.campaignId, category, day, source: 'paper', ballot: { slips: part, flagged }, ...slipShape(context.definition), paperBatchId: batch.id });
        }
      }
    }
    await audit(tx, { actorId: input.actorId, action: 'import', entity: 'evaluation_paper_batch', entityId: batch.id, diff: { campaignId: input.campaignId, ballots: parsed.ballots.length, slips } });
    return { batchId: batch.id, ballots: parsed.ballots.length, slips };
  });
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
