/**
 * @module
 * Paper ballots read by an optical scanner (the department's old way, still used where raters
 * are not on Lark). The scanner exports a CSV with one row per ballot per target:
 *
 *   问卷编号,类别,被评价人编号,<one column per item, headed by its label or key>,总体评价,意见建议,测评码
 *
 * 类别 is 上级/同级/下级/群众; 被评价人编号 the target's employee number (or cadre id); item cells
 * hold a level's label (好), key (good) or letter (A = the first level); 总体评价 is 优秀/称职/
 * 基本称职/不称职 when the questionnaire asks for it; 测评码 is the one-time code that came with a
 * public rater's (群众) sheet, and only public sheets need it. Every row is checked first and
 * every error reported with its line; only a file without errors is counted, all of it in one
 * transaction. The sheet number (问卷编号) only groups rows while checking and is not stored.
 *
 * A paper ballot counts like any other: whoever handed one in has voted. The import names them
 * (the sign-in list of the meeting, not tied to any sheet): they are recorded in the ledger, so
 * they get no reminder and cannot vote again in the chat, and a file cannot bring more slips
 * for a target than it names raters of that target who have not voted yet. A public sheet uses
 * up its code. The slips then wait in the box like every other (ballot-box.ts). A file is
 * known by its content, whatever the line endings, BOM or trailing spaces of the copy: the
 * same file is counted once. A campaign takes paper ballots only while it is open.
 */
import { createHash } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  evaluationCompletions,
  evaluationPaperBatches,
  evaluationPublicCodes,
  evaluationRaters,
  evaluationTargets,
  type OverallGrade,
  type RaterCategory,
} from '../../db/schema/evaluation.ts';
import { cadres } from '../../db/schema/org.ts';
import { audit } from '../audit.ts';
import type { Clock } from '../clock.ts';
import { parseCsv } from '../csv.ts';
import { holdSlips, lockBallotBox, releaseSlips, rewriteLedger } from './ballot-box.ts';
import { ballotContext, looseSlips, MAX_COMMENT, votingState, type CheckedBallot } from './ballots.ts';
import { hashPublicCode, normalizeCode, type ValidityRules } from './campaigns.ts';
import { EvaluationError, type Issue } from './errors.ts';

/** The scanner file's own column names (the sheet's Chinese headings). */
export const PAPER_COLUMNS = { required: ['问卷编号', '类别', '被评价人编号'], grade: '总体评价', comment: '意见建议', code: '测评码' } as const;
import { CATEGORY_LABELS } from './scoring.ts';
import { OVERALL_GRADES, templateItems, type TemplateDefinition } from './templates.ts';
import { localDay, localParts } from '../reminders/time.ts';

const CATEGORY_BY_LABEL = new Map<string, RaterCategory>(Object.entries(CATEGORY_LABELS).map(([k, v]) => [v, k as RaterCategory]));
const GRADE_BY_LABEL = new Map<string, OverallGrade>(OVERALL_GRADES.map((g) => [g.label, g.key]));

export interface PaperTarget {
  cadreId: number;
  unitId: number;
  employeeNo: string | null;
}

export interface ParsedPaper {
  /** One per sheet; `code` (normalised) for public sheets. */
  ballots: Array<{ sheet: string; category: RaterCategory; ballot: CheckedBallot; code?: string }>;
  rows: number;
  /** What is wrong with the file as a whole (its header, no ballots), as codes. */
  fileIssues: Issue[];
  /** What is wrong with its rows, in Chinese. */
  /** Row and sheet problems, each with its line; worded by the panel. */
  errors: Issue[];
}

/** Checks a scanner CSV against the questionnaire and the campaign's targets; pure. */
export function parsePaperCsv(text: string, def: TemplateDefinition, targets: readonly PaperTarget[], rules: ValidityRules): ParsedPaper {
  const errors: Issue[] = [];
  const fileIssues: Issue[] = [];
  const table = parseCsv(text).filter((r) => r.some((cell) => cell.trim() !== ''));
  const header = (table[0] ?? []).map((h) => h.trim());
  const col = (name: string) => header.indexOf(name);
  const items = templateItems(def);
  const itemColumns = items.map((item) => ({ item, index: header.findIndex((h) => h === item.label || h === item.key) }));
  for (const required of PAPER_COLUMNS.required) if (col(required) < 0) fileIssues.push({ code: 'paper.column', params: { column: required } });
  for (const { item, index } of itemColumns) if (index < 0) fileIssues.push({ code: 'paper.itemColumn', params: { item: item.label } });
  if (def.overallGrade && col(PAPER_COLUMNS.grade) < 0) fileIssues.push({ code: 'paper.column', params: { column: PAPER_COLUMNS.grade } });
  if (fileIssues.length) return { ballots: [], rows: 0, fileIssues, errors };
  if (table.length < 2) return { ballots: [], rows: 0, fileIssues: [{ code: 'paper.empty' }], errors };

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
  const sheets = new Map<string, { line: number; category: RaterCategory; code?: string; slips: CheckedBallot['slips'] }>();
  const commentCol = col('意见建议');
  const codeCol = col('测评码');
  // Sheets with a bad row are not also reported as incomplete: one mistake, one message.
  const brokenSheets = new Set<string>();

  table.slice(1).forEach((cells, i) => {
    const line = i + 2;
    const at = (c: number) => (cells[c] ?? '').trim();
    const sheetNo = at(col('问卷编号'));
    const rowErrors: Issue[] = [];
    if (!sheetNo) rowErrors.push({ code: 'paper.sheetNo' });
    const category = CATEGORY_BY_LABEL.get(at(col('类别')));
    if (!category) rowErrors.push({ code: 'paper.category', params: { value: at(col('类别')) } });
    const target = byNumber.get(at(col('被评价人编号')));
    if (!target) rowErrors.push({ code: 'paper.target', params: { value: at(col('被评价人编号')) } });
    const scores: Record<string, number> = {};
    for (const { item, index } of itemColumns) {
      const level = levelOf(at(index));
      if (!level) rowErrors.push(at(index) ? { code: 'paper.option', params: { item: item.label, value: at(index) } } : { code: 'paper.unmarked', params: { item: item.label } });
      else scores[item.key] = level.score;
    }
    let grade: OverallGrade | null = null;
    if (def.overallGrade) {
      grade = GRADE_BY_LABEL.get(at(col('总体评价'))) ?? null;
      if (!grade) rowErrors.push(at(col('总体评价')) ? { code: 'paper.grade', params: { value: at(col('总体评价')) } } : { code: 'paper.gradeUnmarked' });
    }
    const comment = commentCol >= 0 && def.allowComment ? at(commentCol) || null : null;
    if (comment && comment.length > MAX_COMMENT) rowErrors.push({ code: 'paper.commentLong', params: { max: MAX_COMMENT } });
    const sheet = sheetNo ? sheets.get(sheetNo) : undefined;
    if (sheet && category && sheet.category !== category) rowErrors.push({ code: 'paper.sheetCategory', params: { sheet: sheetNo, line: sheet.line } });
    if (sheet && target && sheet.slips.some((s) => s.targetId === target.cadreId)) rowErrors.push({ code: 'paper.sheetRepeat', params: { sheet: sheetNo } });
    const code = category === 'public' && codeCol >= 0 ? normalizeCode(at(codeCol)) || undefined : undefined;
    if (category === 'public' && !code) rowErrors.push({ code: codeCol < 0 ? 'paper.codeColumn' : 'paper.codeMissing' });
    if (sheet && code && sheet.code !== code) rowErrors.push({ code: 'paper.sheetCode', params: { sheet: sheetNo, line: sheet.line } });
    if (rowErrors.length) {
      errors.push({ code: 'paper.row', params: { line }, parts: rowErrors });
      if (sheetNo) brokenSheets.add(sheetNo);
      return;
    }
    const entry = sheet ?? { line, category: category!, code, slips: [] };
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
    if (missing > 0 && !brokenSheets.has(sheetNo)) errors.push({ code: 'paper.incomplete', params: { sheet: sheetNo, line: sheet.line, missing } });
    const scores = sheet.slips.flatMap((s) => Object.values(s.scores));
    const flagged = rules.maxTopShare != null && scores.length > 0 && scores.filter((x) => x === topScore).length / scores.length > rules.maxTopShare;
    ballots.push({ sheet: sheetNo, category: sheet.category, ballot: { slips: sheet.slips, flagged }, ...(sheet.code ? { code: sheet.code } : {}) });
  }
  return { ballots, rows: table.length - 1, fileIssues, errors };
}

/**
 * What identifies a file: its table with cells trimmed and trailing empty cells and empty rows
 * left out, so a copy saved with other line endings, a BOM or trailing spaces is the same file.
 * @example paperFingerprint('a,b\r\n') === paperFingerprint('\uFEFFa,b \n\n') // true
 */
export function paperFingerprint(text: string): string {
  const rows = parseCsv(text)
    .map((r) => {
      const cells = r.map((c) => c.trim());
      while (cells.length && cells.at(-1) === '') cells.pop();
      return cells;
    })
    .filter((r) => r.length > 0);
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}

/** A name on the sign-in list: an employee number or cadre id, and a category when needed. */
export interface PaperVoter {
  entry: string;
  number: string;
  category?: RaterCategory;
}

/**
 * Reads the list of those who handed in a sheet: one per line (or separated by commas, 、 or
 * ；), an employee number or cadre id, followed by the category (上级/同级/下级) for someone
 * with ballots in more than one category.
 * @example parsePaperVoters('QH00012\nQH00031 同级') // [{number:'QH00012'}, {number:'QH00031', category:'peer'}]
 */
export function parsePaperVoters(text: string): { voters: PaperVoter[]; errors: Issue[] } {
  const voters: PaperVoter[] = [];
  const errors: Issue[] = [];
  for (const raw of text.split(/[\n\r,，、;；]+/)) {
    const entry = raw.trim();
    if (!entry) continue;
    const [number, label, ...rest] = entry.split(/[\s:：]+/);
    const category = label ? CATEGORY_BY_LABEL.get(label) : undefined;
    if ((label && (!category || category === 'public')) || rest.length) {
      errors.push({ code: 'paper.voterFormat', params: { entry, number: number! } });
      continue;
    }
    voters.push({ entry, number: number!, ...(category ? { category } : {}) });
  }
  return { voters, errors };
}

/**
 * Imports a scanner CSV into the campaign's box, all or nothing, and records `voters` (the
 * sign-in list, parsePaperVoters' text) as having voted. Errors list every problem
 * (EvaluationError 'invalid_paper'); the same file twice is refused ('duplicate_paper'), and so
 * is any import into a campaign that is not open ('not_open', 'closed').
 */
export async function importPaperBallots(
  db: Db,
  input: { campaignId: number; fileName: string; content: string; voters: string; clock: Clock; tz: string; actorId: number | null; sealKey: Buffer },
): Promise<{ batchId: number; ballots: number; slips: number; voters: number }> {
  const refuseUnlessOpen = (context: Awaited<ReturnType<typeof ballotContext>>) => {
    if (!context) throw new EvaluationError('campaign_not_found');
    if (context.campaign.status === 'draft') throw new EvaluationError('not_open', { code: 'paper.draft' });
    const state = votingState(context.campaign, input.clock.now());
    if (state === 'closed') throw new EvaluationError('closed', { code: 'paper.closed' });
    if (state === 'not_open') throw new EvaluationError('not_open', { code: 'paper.notStarted' });
    return context;
  };
  const fileSha256 = paperFingerprint(input.content);
  const refuseDuplicate = async (tx: Pick<Db, 'select'>) => {
    const [earlier] = await tx
      .select({ fileName: evaluationPaperBatches.fileName, importedAt: evaluationPaperBatches.importedAt })
      .from(evaluationPaperBatches)
      .where(and(eq(evaluationPaperBatches.campaignId, input.campaignId), eq(evaluationPaperBatches.fileSha256, fileSha256)));
    if (earlier) {
      const p = localParts(earlier.importedAt, input.tz);
      const at = `${localDay(earlier.importedAt, input.tz)} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
      throw new EvaluationError('duplicate_paper', { code: 'paper.duplicate', params: { at, file: earlier.fileName } });
    }
  };
  const context = refuseUnlessOpen(await ballotContext(db, input.campaignId));
  await refuseDuplicate(db);

  const targets = await db
    .select({ cadreId: evaluationTargets.cadreId, unitId: evaluationTargets.unitId, employeeNo: cadres.employeeNo, name: cadres.name })
    .from(evaluationTargets)
    .innerJoin(cadres, eq(cadres.id, evaluationTargets.cadreId))
    .where(eq(evaluationTargets.campaignId, input.campaignId));
  const parsed = parsePaperCsv(input.content, context.definition, targets, context.campaign.validityRules as ValidityRules);
  const listed = parsePaperVoters(input.voters);
  const fail = (errors: Issue[], coded: Issue[] = []) => new EvaluationError('invalid_paper', [...coded, ...errors]);
  if (parsed.fileIssues.length || parsed.errors.length || listed.errors.length) throw fail([...parsed.errors, ...listed.errors], parsed.fileIssues);
  const slips = parsed.ballots.reduce((n, b) => n + b.ballot.slips.length, 0);

  return db.transaction(async (tx) => {
    // As a ballot does: after any submission in flight, and never into a campaign closed meanwhile.
    await lockBallotBox(tx, input.campaignId);
    refuseUnlessOpen(await ballotContext(tx, input.campaignId));
    await refuseDuplicate(tx);

    const voters = await resolveVoters(tx, input.campaignId, listed.voters, new Set(parsed.ballots.map((b) => b.category)));
    const codes = await checkCodes(tx, input.campaignId, parsed.ballots, new Map(targets.map((t) => [t.cadreId, t.unitId])));
    const issues = [...voters.issues, ...codes.issues];
    if (issues.length === 0) issues.push(...paperCapacityIssues(parsed.ballots, voters.resolved, new Map(targets.map((t) => [t.cadreId, t.name]))));
    if (issues.length) throw fail(issues);

    const [batch] = await tx
      .insert(evaluationPaperBatches)
      .values({ campaignId: input.campaignId, fileName: input.fileName, fileSha256, ballots: parsed.ballots.length, rows: parsed.rows, importedBy: input.actorId })
      .onConflictDoNothing()
      .returning({ id: evaluationPaperBatches.id });
    if (!batch) throw new EvaluationError('duplicate_paper', { code: 'paper.duplicateNow' });
    await holdSlips(tx, input.sealKey, input.campaignId, parsed.ballots.flatMap((b) => looseSlips(b.category, b.ballot)));
    if (voters.resolved.length) await rewriteLedger(tx, input.campaignId, voters.resolved);
    if (codes.hashes.length) {
      await tx.update(evaluationPublicCodes).set({ used: true }).where(inArray(evaluationPublicCodes.codeHash, codes.hashes));
      // Touch every code of the campaign, so the used ones do not stand out by their xmin.
      await tx.update(evaluationPublicCodes).set({ used: sql`${evaluationPublicCodes.used}` }).where(eq(evaluationPublicCodes.campaignId, input.campaignId));
    }
    await releaseSlips(tx, input.sealKey, input.campaignId);
    await audit(tx, { actorId: input.actorId, action: 'import', entity: 'evaluation_paper_batch', entityId: batch.id, diff: { campaignId: input.campaignId, ballots: parsed.ballots.length, slips, voters: voters.resolved.length } });
    return { batchId: batch.id, ballots: parsed.ballots.length, slips, voters: voters.resolved.length };
  });
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

interface ResolvedVoter {
  cadreId: number;
  category: RaterCategory;
  targetIds: number[];
}

/**
 * Matches the sign-in list to the campaign's raters: each name to one assignment not yet
 * voted, in a category the file has sheets of (named explicitly when there are several).
 */
async function resolveVoters(tx: Tx, campaignId: number, voters: readonly PaperVoter[], fileCategories: ReadonlySet<RaterCategory>) {
  const issues: Issue[] = [];
  const resolved: ResolvedVoter[] = [];
  if (voters.length === 0) return { issues, resolved };
  const [assignments, done] = await Promise.all([
    tx
      .select({ cadreId: evaluationRaters.cadreId, category: evaluationRaters.category, targetIds: evaluationRaters.targetIds, employeeNo: cadres.employeeNo, name: cadres.name })
      .from(evaluationRaters)
      .innerJoin(cadres, eq(cadres.id, evaluationRaters.cadreId))
      .where(eq(evaluationRaters.campaignId, campaignId)),
    tx.select({ cadreId: evaluationCompletions.cadreId, category: evaluationCompletions.category }).from(evaluationCompletions).where(eq(evaluationCompletions.campaignId, campaignId)),
  ]);
  const voted = new Set(done.map((d) => `${d.cadreId}:${d.category}`));
  const seen = new Set<string>();
  /** The one assignment a name stands for, or what is wrong with it. */
  const pickAssignment = <A extends { cadreId: number; category: RaterCategory }>(v: PaperVoter, mine: A[]): A | Pick<Issue, 'code' | 'params'> => {
    const open = (a: A) => !voted.has(`${a.cadreId}:${a.category}`);
    if (v.category) {
      const category = v.category;
      const assignment = mine.find((a) => a.category === category);
      if (!assignment) return { code: 'paper.voter.notInCategory', params: { category } };
      if (!open(assignment)) return { code: 'paper.voter.votedInCategory', params: { category } };
      if (!fileCategories.has(category)) return { code: 'paper.voter.noSheetsOfCategory', params: { category } };
      return assignment;
    }
    const pending = mine.filter(open);
    const here = pending.filter((a) => fileCategories.has(a.category));
    if (pending.length === 0) return { code: 'paper.voter.voted' };
    if (here.length === 0) return { code: 'paper.voter.noSheets', params: { categories: pending.map((a) => a.category) } };
    if (here.length > 1) return { code: 'paper.voter.several', params: { categories: here.map((a) => a.category), example: here[0]!.category } };
    return here[0]!;
  };
  for (const v of voters) {
    const mine = assignments.filter((a) => a.employeeNo === v.number || String(a.cadreId) === v.number);
    if (mine.length === 0) {
      issues.push({ code: 'paper.voter.unknown', params: { number: v.number } });
      continue;
    }
    const who = { name: mine[0]!.name, number: v.number };
    const picked = pickAssignment(v, mine);
    if ('code' in picked) {
      issues.push({ code: picked.code, params: { ...who, ...picked.params } });
      continue;
    }
    const chosen = picked;
    const key = `${chosen.cadreId}:${chosen.category}`;
    if (seen.has(key)) {
      issues.push({ code: 'paper.voter.repeated', params: who });
      continue;
    }
    seen.add(key);
    resolved.push({ cadreId: chosen.cadreId, category: chosen.category, targetIds: chosen.targetIds });
  }
  return { issues, resolved };
}

/** Public sheets: each code issued for this campaign, unused, once in the file, and covering the sheet's targets. */
async function checkCodes(tx: Tx, campaignId: number, ballots: ParsedPaper['ballots'], unitOf: ReadonlyMap<number, number>) {
  const issues: Issue[] = [];
  const publicSheets = ballots.filter((b) => b.category === 'public');
  if (publicSheets.length === 0) return { issues, hashes: [] as string[] };
  const hashes = publicSheets.map((b) => hashPublicCode(b.code!));
  const rows = await tx
    .select()
    .from(evaluationPublicCodes)
    .where(and(eq(evaluationPublicCodes.campaignId, campaignId), inArray(evaluationPublicCodes.codeHash, [...new Set(hashes)])));
  const byHash = new Map(rows.map((r) => [r.codeHash, r]));
  const seen = new Set<string>();
  publicSheets.forEach((b, i) => {
    const code = byHash.get(hashes[i]!);
    if (!code) issues.push({ code: 'paper.code.invalid', params: { sheet: b.sheet } });
    else if (seen.has(code.codeHash)) issues.push({ code: 'paper.code.repeated', params: { sheet: b.sheet } });
    else if (code.used) issues.push({ code: 'paper.code.used', params: { sheet: b.sheet } });
    else if (code.unitId != null && b.ballot.slips.some((s) => unitOf.get(s.targetId) !== code.unitId)) issues.push({ code: 'paper.code.otherUnit', params: { sheet: b.sheet } });
    seen.add(hashes[i]!);
  });
  return { issues, hashes };
}

/**
 * For every (category, target) of the non-public sheets: no more slips than listed voters of
 * that category who rate that target. Public sheets are bounded by their codes instead.
 */
export function paperCapacityIssues(ballots: ParsedPaper['ballots'], voters: ReadonlyArray<Pick<ResolvedVoter, 'category' | 'targetIds'>>, names: ReadonlyMap<number, string>): Issue[] {
  const slips = new Map<string, number>();
  for (const b of ballots) {
    if (b.category === 'public') continue;
    for (const s of b.ballot.slips) slips.set(`${b.category}:${s.targetId}`, (slips.get(`${b.category}:${s.targetId}`) ?? 0) + 1);
  }
  const issues: Issue[] = [];
  for (const [key, n] of slips) {
    const [category, target] = key.split(':') as [RaterCategory, string];
    const targetId = Number(target);
    const room = voters.filter((v) => v.category === category && v.targetIds.includes(targetId)).length;
    if (n > room) {
      issues.push({ code: 'paper.capacity', params: { category, name: names.get(targetId) ?? String(targetId), slips: n, room } });
    }
  }
  if (issues.length) issues.push({ code: 'paper.capacityHint' });
  return issues;
}
