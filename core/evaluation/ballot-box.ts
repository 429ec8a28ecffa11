/**
 * @module
 * Keeps the physical state of the anonymous tables from telling who voted what. A row's place
 * in the heap and its creating transaction id (`xmin`, readable by anyone who can SELECT) follow
 * the order and transaction of its insert; a ledger row and the slips of the same submission are
 * written in one transaction, so left alone they would line up.
 * - `rewriteLedger` rewrites a campaign's whole ledger, in random order, inside each submission:
 *   every ledger row then carries the latest transaction id and no order.
 * - `shuffleBallotBox` rewrites a campaign's slips and answers in one go, ordered by their
 *   random ids, so slips of one submission share nothing any more (run at closing; may also run
 *   on a schedule while a campaign is open).
 * Old row versions stay on disk until VACUUM removes them (only a superuser with pageinspect
 * can read them meanwhile); `vacuumBallotBox` runs it right after a campaign closes.
 */
import { randomInt } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { evaluationCompletions, type RaterCategory } from '../../db/schema/evaluation.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Fisher–Yates with a cryptographic source. */
export function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Adds a completion and rewrites the campaign's ledger in random order (caller holds the campaign lock). */
export async function rewriteLedger(tx: Tx, campaignId: number, added: { cadreId: number; category: RaterCategory }): Promise<void> {
  const existing = await tx
    .delete(evaluationCompletions)
    .where(eq(evaluationCompletions.campaignId, campaignId))
    .returning({ cadreId: evaluationCompletions.cadreId, category: evaluationCompletions.category });
  const rows = shuffled([...existing, added]).map((r) => ({ campaignId, cadreId: r.cadreId, category: r.category }));
  await tx.insert(evaluationCompletions).values(rows);
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
 * Removes the dead row versions a reshuffle leaves behind (they still carry the old order and
 * transaction ids) and refreshes the visibility map, so results are index-only scans again.
 * Cannot run inside a transaction. Best effort: autovacuum does the same a little later.
 */
export async function vacuumBallotBox(db: Pick<Db, 'execute'>): Promise<boolean> {
  try {
    await db.execute(sql`vacuum (analyze) evaluation_ballots, evaluation_answers, evaluation_completions, evaluation_public_codes`);
    return true;
  } catch {
    return false;
  }
}
