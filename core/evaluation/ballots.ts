/**
 * @module
 * Casting a ballot. One transaction checks the campaign is open, records that the rater has
 * voted (the ledger) and hands the ballot to the box as one sealed slip per target, with no
 * rater id, no time and no channel; the box takes slips in only in groups (ballot-box.ts). A
 * second submit by the same rater changes nothing. Nothing here logs or audits a submission:
 * an audit row would tie the rater to the moment and transaction of the ballot, which is
 * exactly what the ledger design avoids.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  evaluationCampaigns,
  evaluationCompletions,
  evaluationPublicCodes,
  evaluationRaters,
  evaluationTargets,
  evaluationTemplateVersions,
  type EvaluationCampaign,
  type OverallGrade,
  type RaterCategory,
} from '../../db/schema/evaluation.ts';
import type { Clock } from '../clock.ts';
import { holdSlips, lockBallotBox, releaseSlips, rewriteLedger, type LooseSlip } from './ballot-box.ts';
import { hashPublicCode, type ValidityRules } from './campaigns.ts';
import { assertNoIssues, EvaluationError, type Issue, type IssueParams } from './errors.ts';
import { CATEGORIES } from './scoring.ts';
import { OVERALL_GRADES, templateItems, type TemplateDefinition } from './templates.ts';

/** One target's answers: item key → scale level key (e.g. `good`). */
export interface TargetAnswers {
  targetId: number;
  levels: Record<string, string>;
  grade?: OverallGrade | null;
  comment?: string | null;
}

export const MAX_COMMENT = 500;

/** A ballot's answers as slips: one per target, with scores. */
export interface CheckedBallot {
  slips: Array<{ targetId: number; scores: Record<string, number>; grade: OverallGrade | null; comment: string | null }>;
  /** Broke a rule that flags rather than refuses (too many 好). */
  flagged: boolean;
}

/**
 * Checks a ballot against the template and the rater's targets: every target, every item, a
 * known level, a grade when the template asks for one, no self-rating. Returns the issues in
 * Chinese; `targetNames` makes them readable.
 */
export function checkBallot(
  def: TemplateDefinition,
  input: {
    targetIds: readonly number[];
    raterCadreId: number | null;
    answers: readonly TargetAnswers[];
    rules: ValidityRules;
    targetNames?: ReadonlyMap<number, string>;
  },
): { issues: Issue[]; ballot: CheckedBallot } {
  const issues: Issue[] = [];
  // A target by name where the caller knows it, else by number (the reader's words say which).
  const who = (id: number): IssueParams => { const name = input.targetNames?.get(id); return name ? { target: id, name } : { target: id }; };
  const items = templateItems(def);
  const scoreOf = new Map(def.scale.map((l) => [l.key, l.score]));
  const expected = new Set(input.targetIds);
  const seen = new Set<number>();
  const slips: CheckedBallot['slips'] = [];
  let answers = 0;
  let top = 0;
  const topScore = def.scale[0]!.score;

  for (const target of input.answers) {
    if (input.raterCadreId != null && target.targetId === input.raterCadreId) {
      issues.push({ code: 'ballot.self' });
      continue;
    }
    if (!expected.has(target.targetId)) {
      issues.push({ code: 'ballot.notYours', params: who(target.targetId) });
      continue;
    }
    if (seen.has(target.targetId)) {
      issues.push({ code: 'ballot.twice', params: who(target.targetId) });
      continue;
    }
    seen.add(target.targetId);
    const scores: Record<string, number> = {};
    const missing: string[] = [];
    for (const item of items) {
      const level = target.levels?.[item.key];
      const score = level == null ? undefined : scoreOf.get(level);
      if (score == null) missing.push(item.label);
      else scores[item.key] = score;
    }
    if (missing.length) issues.push({ code: 'ballot.missing', params: { ...who(target.targetId), items: missing } });
    const unknown = Object.keys(target.levels ?? {}).filter((k) => !items.some((i) => i.key === k));
    if (unknown.length) issues.push({ code: 'ballot.unknownItems', params: { ...who(target.targetId), items: unknown } });
    let grade: OverallGrade | null = null;
    if (def.overallGrade) {
      if (!OVERALL_GRADES.some((g) => g.key === target.grade)) issues.push({ code: 'ballot.noGrade', params: who(target.targetId) });
      else grade = target.grade!;
    } else if (target.grade) issues.push({ code: 'ballot.gradeNotAsked' });
    const comment = target.comment?.trim() || null;
    if (comment && !def.allowComment) issues.push({ code: 'ballot.commentNotAsked' });
    if (comment && comment.length > MAX_COMMENT) issues.push({ code: 'ballot.commentLong', params: { ...who(target.targetId), max: MAX_COMMENT } });
    for (const score of Object.values(scores)) {
      answers++;
      if (score === topScore) top++;
    }
    slips.push({ targetId: target.targetId, scores, grade, comment });
  }
  const unrated = input.targetIds.filter((id) => !seen.has(id) && id !== input.raterCadreId);
  if (unrated.length) issues.push({ code: 'ballot.unrated', params: { count: unrated.length, names: unrated.map((id) => input.targetNames?.get(id) ?? String(id)) } });
  const max = input.rules.maxTopShare;
  const flagged = max != null && answers > 0 && top / answers > max;
  return { issues, ballot: { slips, flagged } };
}

export type CastOutcome =
  | { outcome: 'accepted'; slips: number }
  | { outcome: 'already_submitted' }
  | { outcome: 'closed' }
  | { outcome: 'not_open' }
  | { outcome: 'not_a_rater' }
  | { outcome: 'code_unknown' }
  | { outcome: 'code_used' };

export type CastInput = {
  campaignId: number;
  answers: readonly TargetAnswers[];
  clock: Clock;
  /** The ballot key (from BALLOT_SEAL_SECRET): slips wait sealed under it until released. */
  sealKey: Buffer;
} & (
  | { raterCadreId: number; category?: RaterCategory; publicCode?: undefined }
  | { publicCode: string; raterCadreId?: undefined; category?: undefined }
);

export interface BallotContext {
  campaign: EvaluationCampaign;
  definition: TemplateDefinition;
}

export async function ballotContext(db: Pick<Db, 'select'>, campaignId: number): Promise<BallotContext | null> {
  const [row] = await db
    .select({ campaign: evaluationCampaigns, definition: evaluationTemplateVersions.definition })
    .from(evaluationCampaigns)
    .innerJoin(evaluationTemplateVersions, eq(evaluationTemplateVersions.id, evaluationCampaigns.templateVersionId))
    .where(eq(evaluationCampaigns.id, campaignId));
  return row ? { campaign: row.campaign, definition: row.definition as TemplateDefinition } : null;
}

/** 'open' only when the campaign is published and the clock is inside its window. */
export function votingState(campaign: EvaluationCampaign, now: Date): 'open' | 'not_open' | 'closed' {
  if (campaign.status === 'closed' || now >= campaign.closesAt) return 'closed';
  if (campaign.status !== 'open' || now < campaign.opensAt) return 'not_open';
  return 'open';
}

/** A checked ballot's slips, loose: one per target, each carrying the ballot's category and flag. */
export function looseSlips(category: RaterCategory, ballot: CheckedBallot): LooseSlip[] {
  return ballot.slips.map((s) => ({ targetId: s.targetId, category, scores: s.scores, grade: s.grade, comment: s.comment, flagged: ballot.flagged }));
}

/**
 * Casts a ballot for a cadre (chat or web) or for a public rater's one-time code.
 * Invalid answers throw EvaluationError('invalid_ballot') with every issue; states a user
 * cannot fix by editing (closed, already submitted, used code) come back as an outcome.
 */
export async function castBallot(db: Db, input: CastInput): Promise<CastOutcome> {
  return db.transaction(async (tx) => {
    // One submission per campaign at a time: the ledger rewrite and the duplicate check need it.
    await lockBallotBox(tx, input.campaignId);
    const context = await ballotContext(tx, input.campaignId);
    if (!context) throw new EvaluationError('campaign_not_found', '找不到该测评');
    const now = input.clock.now();
    const state = votingState(context.campaign, now);
    if (state !== 'open') return { outcome: state };

    let category: RaterCategory;
    let targetIds: number[];
    if (input.publicCode != null) {
      const codeHash = hashPublicCode(input.publicCode);
      const [code] = await tx
        .select()
        .from(evaluationPublicCodes)
        .where(and(eq(evaluationPublicCodes.codeHash, codeHash), eq(evaluationPublicCodes.campaignId, input.campaignId)))
        .for('update');
      if (!code) return { outcome: 'code_unknown' };
      if (code.used) return { outcome: 'code_used' };
      category = code.category;
      const targets = await tx
        .select({ id: evaluationTargets.cadreId })
        .from(evaluationTargets)
        .where(and(eq(evaluationTargets.campaignId, input.campaignId), code.unitId == null ? undefined : eq(evaluationTargets.unitId, code.unitId)));
      targetIds = targets.map((t) => t.id);
    } else {
      const assignments = await tx
        .select()
        .from(evaluationRaters)
        .where(and(eq(evaluationRaters.campaignId, input.campaignId), eq(evaluationRaters.cadreId, input.raterCadreId)));
      const assignment = input.category ? assignments.find((a) => a.category === input.category) : assignments.length === 1 ? assignments[0] : undefined;
      if (!assignment) {
        if (assignments.length > 1) {
          throw new EvaluationError('category_required', { code: 'category_required', params: { categories: assignments.map((a) => a.category) } });
        }
        return { outcome: 'not_a_rater' };
      }
      category = assignment.category;
      targetIds = assignment.targetIds;
      const [done] = await tx
        .select({ one: sql`1` })
        .from(evaluationCompletions)
        .where(and(eq(evaluationCompletions.campaignId, input.campaignId), eq(evaluationCompletions.cadreId, input.raterCadreId), eq(evaluationCompletions.category, category)));
      if (done) return { outcome: 'already_submitted' };
    }

    const { issues, ballot } = checkBallot(context.definition, {
      targetIds,
      raterCadreId: input.raterCadreId ?? null,
      answers: input.answers,
      rules: context.campaign.validityRules as ValidityRules,
    });
    assertNoIssues('invalid_ballot', issues);
    await holdSlips(tx, input.sealKey, input.campaignId, looseSlips(category, ballot));

    if (input.publicCode != null) {
      await tx.update(evaluationPublicCodes).set({ used: true }).where(eq(evaluationPublicCodes.codeHash, hashPublicCode(input.publicCode)));
      // Touch every code of the campaign, so the used one does not stand out by its xmin.
      await tx.update(evaluationPublicCodes).set({ used: sql`${evaluationPublicCodes.used}` }).where(eq(evaluationPublicCodes.campaignId, input.campaignId));
    } else {
      await rewriteLedger(tx, input.campaignId, [{ cadreId: input.raterCadreId, category }]);
    }
    await releaseSlips(tx, input.sealKey, input.campaignId);
    return { outcome: 'accepted', slips: ballot.slips.length };
  });
}

/** The rater's pending assignments (for cards and reminders): categories not yet submitted. */
export async function pendingAssignments(db: Pick<Db, 'select'>, campaignId: number, raterCadreId: number) {
  const [assignments, done] = await Promise.all([
    db.select().from(evaluationRaters).where(and(eq(evaluationRaters.campaignId, campaignId), eq(evaluationRaters.cadreId, raterCadreId))),
    db
      .select({ category: evaluationCompletions.category })
      .from(evaluationCompletions)
      .where(and(eq(evaluationCompletions.campaignId, campaignId), eq(evaluationCompletions.cadreId, raterCadreId))),
  ]);
  const doneSet = new Set(done.map((d) => d.category));
  return assignments.filter((a) => !doneSet.has(a.category)).sort((a, b) => CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category));
}

/** Raters of a campaign who have not completed every assignment: the reminder list. */
export async function nonResponders(db: Pick<Db, 'execute'>, campaignId: number): Promise<number[]> {
  const rows = await db.execute<{ cadre_id: number }>(sql`
    select distinct r.cadre_id from evaluation_raters r
    where r.campaign_id = ${campaignId}
      and not exists (select 1 from evaluation_completions c
                      where c.campaign_id = r.campaign_id and c.cadre_id = r.cadre_id and c.category = r.category)
    order by r.cadre_id`);
  return rows.map((r) => r.cadre_id);
}

/** Turnout per category: raters who completed ÷ raters assigned (public: used codes ÷ codes). */
export async function turnout(db: Pick<Db, 'execute'>, campaignId: number) {
  const rows = await db.execute<{ category: RaterCategory; assigned: number; completed: number }>(sql`
    select r.category, count(*)::int as assigned, count(c.cadre_id)::int as completed
    from evaluation_raters r
    left join evaluation_completions c on c.campaign_id = r.campaign_id and c.cadre_id = r.cadre_id and c.category = r.category
    where r.campaign_id = ${campaignId} group by r.category
    union all
    select category, count(*)::int, count(*) filter (where used)::int
    from evaluation_public_codes where campaign_id = ${campaignId} group by category`);
  return rows;
}

