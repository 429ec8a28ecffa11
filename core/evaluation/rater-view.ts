/**
 * @module
 * What a rater sees, for the chat and the web ballot: their open campaigns, one assignment's
 * targets with name, unit and position, and the draft of answers in a compact form that travels
 * sealed (seal.ts) inside the card or page. Nothing here writes.
 */
import { and, eq, gt, inArray, lte } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { evaluationCampaigns, evaluationRaters, type EvaluationCampaign, type OverallGrade, type RaterCategory } from '../../db/schema/evaluation.ts';
import { cadres, units } from '../../db/schema/org.ts';
import type { TargetAnswers } from './ballots.ts';
import { pendingAssignments } from './ballots.ts';
import { CATEGORIES } from './scoring.ts';
import { OVERALL_GRADES, templateItems, type TemplateDefinition } from './templates.ts';

export interface BallotTarget {
  id: number;
  name: string;
  unit: string;
  position: string;
}

/** The targets of one assignment, in a stable order (unit, then name). */
export async function assignmentTargets(db: Pick<Db, 'select'>, campaignId: number, raterCadreId: number, category: RaterCategory): Promise<BallotTarget[] | null> {
  const [assignment] = await db
    .select({ targetIds: evaluationRaters.targetIds })
    .from(evaluationRaters)
    .where(and(eq(evaluationRaters.campaignId, campaignId), eq(evaluationRaters.cadreId, raterCadreId), eq(evaluationRaters.category, category)));
  if (!assignment) return null;
  if (assignment.targetIds.length === 0) return [];
  const rows = await db
    .select({ id: cadres.id, name: cadres.name, unit: units.name, position: cadres.position, unitId: cadres.unitId })
    .from(cadres)
    .innerJoin(units, eq(units.id, cadres.unitId))
    .where(inArray(cadres.id, assignment.targetIds))
    .orderBy(cadres.unitId, cadres.id);
  return rows.map(({ unitId: _unitId, ...t }) => t);
}

export interface OpenAssignment {
  campaign: EvaluationCampaign;
  category: RaterCategory;
  targets: number;
}

/** The cadre's assignments in campaigns open for voting now that they have not submitted yet. */
export async function openAssignmentsFor(db: Db, cadreId: number, now: Date): Promise<OpenAssignment[]> {
  const campaigns = await db
    .select({ campaign: evaluationCampaigns })
    .from(evaluationCampaigns)
    .innerJoin(evaluationRaters, eq(evaluationRaters.campaignId, evaluationCampaigns.id))
    .where(and(eq(evaluationCampaigns.status, 'open'), lte(evaluationCampaigns.opensAt, now), gt(evaluationCampaigns.closesAt, now), eq(evaluationRaters.cadreId, cadreId)))
    .groupBy(evaluationCampaigns.id)
    .orderBy(evaluationCampaigns.closesAt);
  const result: OpenAssignment[] = [];
  for (const { campaign } of campaigns) {
    for (const a of await pendingAssignments(db, campaign.id, cadreId)) result.push({ campaign, category: a.category, targets: a.targetIds.length });
  }
  return result;
}

/**
 * A draft: per target, one character per template item (the level's index on the scale, or
 * `-` for unanswered) followed by one for the overall grade. Ids and indices only, so a sealed
 * draft for fifty targets stays near a kilobyte and the card under Lark's 30 KB.
 */
export interface Draft {
  /** The category the draft is for: a cadre who rates in two categories has two drafts. */
  k: RaterCategory;
  a: Record<string, string>;
}

export function emptyDraft(category: RaterCategory): Draft {
  return { k: category, a: {} };
}

const UNANSWERED = '-';

/** The answers of one target as level keys and a grade, read from the draft. */
export function draftAnswers(def: TemplateDefinition, draft: Draft, targetId: number): { levels: Record<string, string>; grade: OverallGrade | null } {
  const items = templateItems(def);
  const code = draft.a[String(targetId)] ?? '';
  const levels: Record<string, string> = {};
  items.forEach((item, i) => {
    const level = def.scale[Number.parseInt(code[i] ?? UNANSWERED, 36)];
    if (level && code[i] !== UNANSWERED) levels[item.key] = level.key;
  });
  const g = code[items.length];
  const grade = g && g !== UNANSWERED ? (OVERALL_GRADES[Number(g)]?.key ?? null) : null;
  return { levels, grade };
}

/**
 * Merges a step's form values (item key → level key, `grade__` → grade) into the draft. Unknown
 * names and values are ignored: the card only offers valid ones, anything else was not us.
 */
export function mergeAnswers(def: TemplateDefinition, draft: Draft, targetId: number, form: Record<string, unknown>): Draft {
  const items = templateItems(def);
  const current = draftAnswers(def, draft, targetId);
  const chars = items.map((item) => {
    const given = form[item.key];
    const key = typeof given === 'string' && def.scale.some((l) => l.key === given) ? given : current.levels[item.key];
    const index = def.scale.findIndex((l) => l.key === key);
    return index >= 0 ? index.toString(36) : UNANSWERED;
  });
  const givenGrade = form[GRADE_FIELD];
  const grade = typeof givenGrade === 'string' && OVERALL_GRADES.some((g) => g.key === givenGrade) ? givenGrade : current.grade;
  const gradeIndex = OVERALL_GRADES.findIndex((g) => g.key === grade);
  chars.push(def.overallGrade && gradeIndex >= 0 ? String(gradeIndex) : UNANSWERED);
  return { ...draft, a: { ...draft.a, [String(targetId)]: chars.join('') } };
}

/** The form field of the overall grade; item keys cannot end in `__`, so it never clashes. */
export const GRADE_FIELD = 'grade__';

/** Whether a target's answers are complete: every item, and the grade when the template asks. */
export function isComplete(def: TemplateDefinition, draft: Draft, targetId: number): boolean {
  const { levels, grade } = draftAnswers(def, draft, targetId);
  return templateItems(def).every((i) => levels[i.key]) && (!def.overallGrade || grade != null);
}

/** The draft as castBallot's answers. */
export function draftToAnswers(def: TemplateDefinition, draft: Draft, targetIds: readonly number[]): TargetAnswers[] {
  return targetIds.map((targetId) => ({ targetId, ...draftAnswers(def, draft, targetId) }));
}

export function isCategory(value: unknown): value is RaterCategory {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value);
}
