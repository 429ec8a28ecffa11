/**
 * @module
 * The outbox's rows: every proactive message is written here first (inside the transaction of
 * whatever caused it), then sent by the outbox worker. The row id is Lark's idempotency key, so
 * a send retried after a crash cannot deliver twice.
 */
import { and, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { outbox, outboxBatches, type OutboxBatch, type OutboxRow } from '../db/schema/lark.ts';
import { cadres } from '../db/schema/org.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from './clock.ts';

export type Executor = Pick<Db, 'insert' | 'select' | 'update' | 'execute'>;

export interface OutboxMessage {
  recipient: string;
  receiveIdType?: 'open_id' | 'chat_id';
  cadreId?: number | null;
  purpose: string;
  /** One row per key: a sweep that runs twice does not write twice. */
  dedupeKey?: string;
  msgType: 'text' | 'interactive' | (string & {});
  /** {text} for text, the card object for interactive. */
  payload: unknown;
  /** `patch` replaces the card `larkMessageId`; `urgent` raises Lark's urgent notice on it for the recipient. */
  kind?: 'send' | 'patch' | 'urgent';
  larkMessageId?: string;
  /** When it was written, by the caller's clock (default: the database's now). */
  createdAt?: Date;
}

/** Writes a message; returns its id, or undefined when its dedupe key was already written. */
export async function addToOutbox(db: Executor, message: OutboxMessage): Promise<string | undefined> {
  const rows = await db
    .insert(outbox)
    .values({
      recipient: message.recipient,
      receiveIdType: message.receiveIdType ?? 'open_id',
      cadreId: message.cadreId ?? null,
      purpose: message.purpose,
      dedupeKey: message.dedupeKey ?? null,
      msgType: message.msgType,
      payload: message.payload,
      kind: message.kind ?? 'send',
      larkMessageId: message.larkMessageId ?? null,
      ...(message.createdAt ? { createdAt: message.createdAt, updatedAt: message.createdAt } : {}),
    })
    .onConflictDoNothing()
    .returning({ id: outbox.id });
  return rows[0]?.id;
}

export async function outboxRow(db: Executor, id: string): Promise<OutboxRow | undefined> {
  const [row] = await db.select().from(outbox).where(eq(outbox.id, id));
  return row;
}

/** Counts an attempt before the call, so a crash mid-call still shows up in `attempts`. */
export async function recordAttempt(db: Executor, id: string, clock: Clock): Promise<void> {
  await db.update(outbox).set({ attempts: sql`${outbox.attempts} + 1`, updatedAt: clock.now() }).where(eq(outbox.id, id));
}

export async function markSent(db: Executor, id: string, larkMessageId: string | undefined, sentAt: Date): Promise<void> {
  await db
    .update(outbox)
    .set({ status: 'sent', larkMessageId: larkMessageId ?? sql`${outbox.larkMessageId}`, sentAt, lastError: null, updatedAt: sentAt })
    .where(and(eq(outbox.id, id), eq(outbox.status, 'pending')));
}

export async function markFailed(db: Executor, id: string, error: string, clock: Clock): Promise<void> {
  await db.update(outbox).set({ status: 'failed', lastError: error, updatedAt: clock.now() }).where(and(eq(outbox.id, id), eq(outbox.status, 'pending')));
}

export async function noteError(db: Executor, id: string, error: string, clock: Clock): Promise<void> {
  await db.update(outbox).set({ lastError: error, updatedAt: clock.now() }).where(eq(outbox.id, id));
}

/** Ids of rows still to send, oldest first: re-enqueued at boot so a lost queue loses nothing. */
export async function pendingOutboxIds(db: Executor, limit = 10_000): Promise<string[]> {
  const rows = await db.select({ id: outbox.id }).from(outbox).where(eq(outbox.status, 'pending')).orderBy(outbox.createdAt).limit(limit);
  return rows.map((r) => r.id);
}

/** Sends completed since `since`, with their recipient: the rate limiter's memory after a restart. */
export async function sendsSince(db: Executor, since: Date): Promise<Array<{ recipient: string; sentAt: Date }>> {
  const rows = await db
    .select({ recipient: outbox.recipient, sentAt: outbox.sentAt })
    .from(outbox)
    .where(and(eq(outbox.status, 'sent'), eq(outbox.kind, 'send'), gt(outbox.sentAt, since)));
  return rows.map((r) => ({ recipient: r.recipient, sentAt: r.sentAt! }));
}

/** Messages that will not be sent without help (recipient unknown, bot not visible, bad card): for admins. */
export async function outboxFailures(db: Executor, limit = 100): Promise<OutboxRow[]> {
  return db.select().from(outbox).where(eq(outbox.status, 'failed')).orderBy(desc(outbox.updatedAt)).limit(limit);
}

/** Permanent failures for the admins' jobs page, with the cadre's name where the row has one. */
export async function undeliverable(db: Executor, limit = 50) {
  return db
    .select({
      id: outbox.id,
      purpose: outbox.purpose,
      recipient: outbox.recipient,
      cadreName: cadres.name,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      updatedAt: outbox.updatedAt,
    })
    .from(outbox)
    .leftJoin(cadres, eq(cadres.id, outbox.cadreId))
    .where(eq(outbox.status, 'failed'))
    .orderBy(desc(outbox.updatedAt))
    .limit(limit);
}

export async function outboxRows(db: Executor, ids: string[]): Promise<OutboxRow[]> {
  return ids.length === 0 ? [] : db.select().from(outbox).where(inArray(outbox.id, ids));
}

/** Lark's batch send takes at most this many open_ids a call. */
export const BATCH_CHUNK = 200;

export interface BatchAnnouncement {
  purpose: string;
  dedupeKey?: string;
  msgType: 'text' | 'interactive';
  payload: unknown;
  openIds: string[];
}

/**
 * Writes an announcement for Lark's batch send; returns its id, or undefined when its dedupe key
 * was already written. Recipients are de-duplicated: Lark would deliver a repeated id twice.
 */
export async function addBatch(db: Executor, batch: BatchAnnouncement): Promise<string | undefined> {
  const openIds = [...new Set(batch.openIds)];
  if (openIds.length === 0) return undefined;
  const rows = await db
    .insert(outboxBatches)
    .values({ purpose: batch.purpose, dedupeKey: batch.dedupeKey ?? null, msgType: batch.msgType, payload: batch.payload, openIds })
    .onConflictDoNothing()
    .returning({ id: outboxBatches.id });
  return rows[0]?.id;
}

export async function batchRow(db: Executor, id: string): Promise<OutboxBatch | undefined> {
  const [row] = await db.select().from(outboxBatches).where(eq(outboxBatches.id, id));
  return row;
}

/**
 * Records a chunk Lark accepted: the checkpoint a retry resumes from. Only the job holding the
 * batch writes it, so the lists are carried forward from the row the job read.
 */
export async function recordBatchChunk(db: Executor, batch: OutboxBatch, chunk: { sentCount: number; messageId: string; invalidOpenIds: string[] }, clock: Clock): Promise<OutboxBatch> {
  const next = {
    ...batch,
    sentCount: chunk.sentCount,
    larkMessageIds: [...batch.larkMessageIds, chunk.messageId],
    invalidOpenIds: [...batch.invalidOpenIds, ...chunk.invalidOpenIds],
    updatedAt: clock.now(),
  };
  await db
    .update(outboxBatches)
    .set({ sentCount: next.sentCount, larkMessageIds: next.larkMessageIds, invalidOpenIds: next.invalidOpenIds, updatedAt: next.updatedAt })
    .where(eq(outboxBatches.id, batch.id));
  return next;
}

export async function finishBatch(db: Executor, id: string, status: 'sent' | 'failed', clock: Clock, error?: string): Promise<void> {
  await db
    .update(outboxBatches)
    .set({ status, lastError: error ?? null, updatedAt: clock.now() })
    .where(and(eq(outboxBatches.id, id), eq(outboxBatches.status, 'pending')));
}

export async function noteBatchAttempt(db: Executor, id: string, error: string | null, clock: Clock): Promise<void> {
  await db
    .update(outboxBatches)
    .set({ attempts: sql`${outboxBatches.attempts} + 1`, lastError: error, updatedAt: clock.now() })
    .where(eq(outboxBatches.id, id));
}

export async function pendingBatchIds(db: Executor): Promise<string[]> {
  const rows = await db.select({ id: outboxBatches.id }).from(outboxBatches).where(eq(outboxBatches.status, 'pending')).orderBy(outboxBatches.createdAt);
  return rows.map((r) => r.id);
}

/** The latest announcements with their progress, for the jobs page. */
export async function recentBatches(db: Executor, limit = 20) {
  return db
    .select({
      id: outboxBatches.id,
      purpose: outboxBatches.purpose,
      total: sql<number>`cardinality(${outboxBatches.openIds})`,
      sentCount: outboxBatches.sentCount,
      invalid: sql<number>`cardinality(${outboxBatches.invalidOpenIds})`,
      status: outboxBatches.status,
      lastError: outboxBatches.lastError,
      createdAt: outboxBatches.createdAt,
      updatedAt: outboxBatches.updatedAt,
    })
    .from(outboxBatches)
    .orderBy(desc(outboxBatches.createdAt))
    .limit(limit);
}
