/**
 * @module
 * What the web ballot page needs before a rater starts: the campaign's questionnaire, whether
 * voting is open, and the targets to rate with their names, for a cadre (from a signed link)
 * or for a public rater (from a one-time code). Reads the ledger to tell a rater they already
 * voted; writes nothing (castBallot does).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { evaluationCompletions, evaluationPublicCodes, evaluationRaters, evaluationTargets, type RaterCategory } from '../../db/schema/evaluation.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { ballotContext, votingState, type BallotContext } from './ballots.ts';
import { hashPublicCode } from './campaigns.ts';

export interface BallotTarget {
  id: number;
  name: string;
  unitName: string;
  position: string;
}

export type BallotSubject =
  | ({ state: 'ready'; targets: BallotTarget[] } & BallotContext)
  | { state: 'closed' | 'not_open' | 'not_a_rater' | 'already_submitted' | 'code_unknown' | 'code_used' | 'campaign_not_found' };

async function named(db: Db, ids: number[]): Promise<BallotTarget[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: cadres.id, name: cadres.name, unitName: units.name, position: cadres.position })
    .from(cadres)
    .innerJoin(units, eq(units.id, cadres.unitId))
    .where(inArray(cadres.id, ids));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is BallotTarget => r != null);
}

/** A cadre's ballot in one category. */
export async function raterBallot(db: Db, input: { campaignId: number; cadreId: number; category: RaterCategory; now: Date }): Promise<BallotSubject> {
  const context = await ballotContext(db, input.campaignId);
  if (!context) return { state: 'campaign_not_found' };
  const state = votingState(context.campaign, input.now);
  if (state !== 'open') return { state };
  const key = and(eq(evaluationRaters.campaignId, input.campaignId), eq(evaluationRaters.cadreId, input.cadreId), eq(evaluationRaters.category, input.category));
  const [assignment] = await db.select().from(evaluationRaters).where(key);
  if (!assignment) return { state: 'not_a_rater' };
  const [done] = await db
    .select({ one: sql`1` })
    .from(evaluationCompletions)
    .where(and(eq(evaluationCompletions.campaignId, input.campaignId), eq(evaluationCompletions.cadreId, input.cadreId), eq(evaluationCompletions.category, input.category)));
  if (done) return { state: 'already_submitted' };
  return { state: 'ready', ...context, targets: await named(db, assignment.targetIds) };
}

/** A public rater's ballot from their one-time code. */
export async function publicBallot(db: Db, code: string, now: Date): Promise<BallotSubject & { campaignId?: number }> {
  const [row] = await db.select().from(evaluationPublicCodes).where(eq(evaluationPublicCodes.codeHash, hashPublicCode(code)));
  if (!row) return { state: 'code_unknown' };
  const context = await ballotContext(db, row.campaignId);
  if (!context) return { state: 'campaign_not_found' };
  const state = votingState(context.campaign, now);
  if (state !== 'open') return { state, campaignId: row.campaignId };
  if (row.used) return { state: 'code_used', campaignId: row.campaignId };
  const targets = await db
    .select({ id: evaluationTargets.cadreId })
    .from(evaluationTargets)
    .where(and(eq(evaluationTargets.campaignId, row.campaignId), row.unitId == null ? undefined : eq(evaluationTargets.unitId, row.unitId)))
    .orderBy(evaluationTargets.unitId, evaluationTargets.cadreId);
  return { state: 'ready', ...context, campaignId: row.campaignId, targets: await named(db, targets.map((t) => t.id)) };
}
