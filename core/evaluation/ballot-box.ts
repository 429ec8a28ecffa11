/**
 * @module
 * The ballot box, and what keeps its contents and physical state from telling who voted what.
 * - **Held slips.** A cast slip does not go into the box at once: watching the box grow as
 *   the ledger grows would pair each voter with their slips. It waits sealed (seal.ts
 *   `sealSlip`, under the ballot key that the database does not hold) in
 *   `evaluation_held_slips`. When at least `BOX_BATCH` slips wait for the same target and
 *   category, `releaseSlips` opens them and puts them into the box together, in random order,
 *   in one transaction; closing a campaign releases every slip still waiting. So a slip in the
 *   box came from one of at least five voters who voted since the last release for that target.
 * - `rewriteLedger` rewrites a campaign's whole ledger, in random order, inside each submission:
 *   every ledger row then carries the latest transaction id and no order.
 * - `shuffleBallotBox` rewrites a campaign's slips and answers in one go, ordered by their
 *   random ids, so slips of one release share nothing any more (run at closing).
 * Old row versions stay on disk until VACUUM removes them (only a superuser with pageinspect
 * can read them meanwhile); `vacuumBallotBox` runs it right after a campaign closes.
 * @example
 *   await lockBallotBox(tx, campaignId);
 *   await holdSlips(tx, key, campaignId, slips);
 *   await releaseSlips(tx, key, campaignId); // the groups with five or more
 */
import { randomInt, randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  evaluationAnswers,
  evaluationBallots,
  evaluationCompletions,
  evaluationHeldSlips,
  type OverallGrade,
  type RaterCategory,
} from '../../db/schema/evaluation.ts';
import { sealSlip, unsealSlip } from './seal.ts';
import { templateItems, type TemplateDefinition } from './templates.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Slips wait until this many are held for one (target, category). */
export const BOX_BATCH = 5;

/** Namespace of the per-campaign advisory lock ("EVAL"). */
const LOCK_NAMESPACE = 0x4556414c;

/**
 * One writer per campaign's box at a time (ballots, paper imports, closing): the ledger
 * rewrite, the duplicate checks and the release count need it, and closing must not miss a
 * slip held by a submission still in flight.
 */
export async function lockBallotBox(tx: Tx, campaignId: number): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}, ${campaignId})`);
}

/** One target's answers on one ballot, with nothing about who cast it, when, or how. */
export interface LooseSlip {
  targetId: number;
  category: RaterCategory;
  /** Item key → score. */
  scores: Record<string, number>;
  grade: OverallGrade | null;
  comment: string | null;
  /** The whole ballot broke a validity rule that flags rather than refuses. */
  flagged: boolean;
}

/** What a held slip's seal carries (the binding carries the target and category). */
interface SealedContent {
  scores: Record<string, number>;
  grade: OverallGrade | null;
  comment: string | null;
  flagged: boolean;
}

/** Fisher–Yates with a cryptographic source. */
export function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Adds completions and rewrites the campaign's ledger in random order (caller holds the box lock). */
export async function rewriteLedger(tx: Tx, campaignId: number, added: ReadonlyArray<{ cadreId: number; category: RaterCategory }>): Promise<void> {
  const existing = await tx
    .delete(evaluationCompletions)
    .where(eq(evaluationCompletions.campaignId, campaignId))
    .returning({ cadreId: evaluationCompletions.cadreId, category: evaluationCompletions.category });
  const rows = shuffled([...existing, ...added]).map((r) => ({ campaignId, cadreId: r.cadreId, category: r.category }));
  for (let i = 0; i < rows.length; i += 5000) await tx.insert(evaluationCompletions).values(rows.slice(i, i + 5000));
}

/**
 * Room kept in every sealed slip for the longest comment a ballot takes (ballots.ts MAX_COMMENT,
 * 500 characters, at worst 6 bytes each once JSON-escaped), so that a sealed slip is as long
 * with a comment as without.
 */
export const COMMENT_ROOM = 6 * 500 + 2;

/** Seals slips and leaves them waiting (caller holds the box lock). */
export async function holdSlips(tx: Tx, key: Buffer, campaignId: number, slips: readonly LooseSlip[]): Promise<void> {
  const rows = shuffled(slips).map((s) => {
    const content: SealedContent = { scores: s.scores, grade: s.grade, comment: s.comment, flagged: s.flagged };
    const room = Buffer.byteLength(JSON.stringify({ ...content, comment: null }), 'utf8') + COMMENT_ROOM;
    return { campaignId, targetId: s.targetId, category: s.category, sealed: sealSlip(key, { campaignId, targetId: s.targetId, category: s.category }, content, room) };
  });
  for (let i = 0; i < rows.length; i += 2000) await tx.insert(evaluationHeldSlips).values(rows.slice(i, i + 2000));
}

/**
 * Opens the held slips of every (target, category) with at least `BOX_BATCH` waiting, or with
 * `all` every held slip, and puts them into the box in random order. Returns how many went in.
 * A slip sealed under another key stops everything (EvaluationError 'ballot_box_unreadable'):
 * nothing is counted or lost until the key is restored.
 */
export async function releaseSlips(tx: Tx, key: Buffer, campaignId: number, options: { all?: boolean } = {}): Promise<number> {
  const released = await tx.execute<{ target_id: number; category: RaterCategory; sealed: string }>(sql`
    delete from evaluation_held_slips
    where campaign_id = ${campaignId}
      ${options.all ? sql`` : sql`and (target_id, category) in (
        select target_id, category from evaluation_held_slips where campaign_id = ${campaignId}
        group by target_id, category having count(*) >= ${BOX_BATCH})`}
    returning target_id, category, sealed`);
  if (released.length === 0) return 0;
  const slips = released.map((r): LooseSlip => {
    const content = unsealSlip<SealedContent>(key, { campaignId, targetId: r.target_id, category: r.category }, r.sealed);
    return { targetId: r.target_id, category: r.category, ...content };
  });
  const [row] = await tx.execute<{ definition: TemplateDefinition }>(sql`
    select v.definition from evaluation_campaigns c join evaluation_template_versions v on v.id = c.template_version_id
    where c.id = ${campaignId}`);
  await insertSlips(tx, campaignId, row!.definition, shuffled(slips));
  return slips.length;
}

/**
 * Writes slips and their answers into the box, in the order given. The tally columns repeat
 * the answers: the scale's level counts (best first) and the scores in the template's item order.
 */
async function insertSlips(tx: Tx, campaignId: number, def: TemplateDefinition, slips: readonly LooseSlip[]): Promise<void> {
  const levelScores = def.scale.map((l) => l.score);
  const itemKeys = templateItems(def).map((i) => i.key);
  // Random (v4) ids made here, so answers can name their slip without relying on RETURNING order.
  const withIds = slips.map((s) => ({ ...s, id: randomUUID() }));
  const rows = withIds.map((s) => {
    const scores = Object.values(s.scores);
    return {
      id: s.id,
      campaignId,
      targetId: s.targetId,
      category: s.category,
      flagged: s.flagged,
      overallGrade: s.grade,
      comment: s.comment,
      scoreSum: scores.reduce((a, b) => a + b, 0),
      answerCount: scores.length,
      levelCounts: levelScores.map((level) => scores.filter((x) => x === level).length),
      itemScores: itemKeys.map((k) => s.scores[k]!),
    };
  });
  const answers = withIds.flatMap((s) =>
    Object.entries(s.scores).map(([itemKey, score]) => ({ ballotId: s.id, campaignId, targetId: s.targetId, category: s.category, itemKey, score })),
  );
  // Stay well under PostgreSQL's 65,535 bind parameters per statement.
  for (let i = 0; i < rows.length; i += 2000) await tx.insert(evaluationBallots).values(rows.slice(i, i + 2000));
  for (let i = 0; i < answers.length; i += 5000) await tx.insert(evaluationAnswers).values(answers.slice(i, i + 5000));
}

/** Rewrites a campaign's slips and answers in the order of their random ids. */
export async function shuffleBallotBox(tx: Tx, campaignId: number): Promise<void> {
  await tx.execute(sql`create temporary table shuffle_ballots on commit drop as
    select * from evaluation_ballots where campaign_id = ${campaignId}`);
  await tx.execute(sql`create temporary table shuffle_answers on commit drop as
    select * from evaluation_answers where campaign_id = ${campaignId}`);
  await tx.execute(sql`delete from evaluation_answers where campaign_id = ${campaignId}`);
  await tx.execute(sql`delete from evaluation_ballots where campaign_id = ${campaignId}`);
  await tx.execute(sql`insert into evaluation_ballots select * from shuffle_ballots order by id`);
  await tx.execute(sql`insert into evaluation_answers select * from shuffle_answers order by ballot_id, item_key`);
}

/**
 * Everything that must happen in the closing transaction, before the campaign is marked
 * closed: every held slip into the box, then the box reshuffled (caller holds the box lock).
 */
export async function closeBallotBox(tx: Tx, key: Buffer, campaignId: number): Promise<void> {
  await releaseSlips(tx, key, campaignId, { all: true });
  await shuffleBallotBox(tx, campaignId);
}

/**
 * Removes the dead row versions a reshuffle leaves behind (they still carry the old order and
 * transaction ids) and refreshes the visibility map, so results are index-only scans again.
 * Cannot run inside a transaction. Best effort: autovacuum does the same a little later.
 */
export async function vacuumBallotBox(db: Pick<Db, 'execute'>): Promise<boolean> {
  try {
    await db.execute(sql`vacuum (analyze) evaluation_ballots, evaluation_answers, evaluation_completions, evaluation_public_codes, evaluation_held_slips`);
    return true;
  } catch {
    return false;
  }
}
