/**
 * @module
 * What the Lark adapter keeps: the events already handled (so a re-delivery changes nothing)
 * and the outbox, one row per proactive message, which the outbox worker sends.
 */
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { cadres } from './org.ts';

/** One row per Lark event handled; inserted in the same transaction as the event's effect. */
export const larkEvents = pgTable(
  'lark_events',
  {
    eventId: text().primaryKey(),
    eventType: text().notNull(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('lark_events_received_idx').on(t.receivedAt)],
);

export const outboxStatus = pgEnum('outbox_status', ['pending', 'sent', 'failed']);
/**
 * `send` posts a new message; `patch` replaces the content of a card the bot sent earlier;
 * `urgent` raises Lark's urgent notice (加急) on a message the bot sent, for the recipient.
 */
export const outboxKind = pgEnum('outbox_kind', ['send', 'patch', 'urgent']);

export const outbox = pgTable(
  'outbox',
  {
    /** Also the BullMQ job id and Lark's `uuid` idempotency key (36 chars, Lark allows 50). */
    id: uuid().primaryKey().defaultRandom(),
    kind: outboxKind().notNull().default('send'),
    /** An open_id (or chat_id for group messages, see `receiveIdType`). */
    recipient: text().notNull(),
    receiveIdType: text().notNull().default('open_id'),
    cadreId: integer().references(() => cadres.id, { onDelete: 'set null' }),
    /** Why this message exists, e.g. `reply`, `evaluation.reminder`. */
    purpose: text().notNull(),
    /** Makes a sweep that runs twice write one row per (purpose, recipient, slot). */
    dedupeKey: text(),
    msgType: text().notNull(),
    /** The message content as Lark takes it (a card object, or {text}); for `patch`, the new card. */
    payload: jsonb().notNull(),
    /** For `patch`: the message to update. After a send: the message Lark created. */
    larkMessageId: text(),
    status: outboxStatus().notNull().default('pending'),
    attempts: integer().notNull().default(0),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('outbox_dedupe_uq').on(t.dedupeKey),
    index('outbox_status_idx').on(t.status, t.createdAt),
    index('outbox_sent_idx').on(t.sentAt),
  ],
);

export const outboxBatchStatus = pgEnum('outbox_batch_status', ['pending', 'sent', 'failed']);

/**
 * One announcement to many people through Lark's batch send (批量发送): identical content that is
 * never patched (batch messages cannot be updated or urged). Sent in chunks of Lark's maximum;
 * `sentCount` is the checkpoint, so a retried job resumes after the last chunk Lark accepted.
 */
export const outboxBatches = pgTable(
  'outbox_batches',
  {
    id: uuid().primaryKey().defaultRandom(),
    purpose: text().notNull(),
    /** One batch per key, like the outbox's (purpose, recipient, slot) keys. */
    dedupeKey: text(),
    msgType: text().notNull(),
    payload: jsonb().notNull(),
    openIds: text().array().notNull(),
    sentCount: integer().notNull().default(0),
    /** Recipients Lark reported unknown or unreachable. */
    invalidOpenIds: text().array().notNull().default(sql`'{}'::text[]`),
    /** Lark's batch message id of each chunk. */
    larkMessageIds: text().array().notNull().default(sql`'{}'::text[]`),
    status: outboxBatchStatus().notNull().default('pending'),
    attempts: integer().notNull().default(0),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('outbox_batches_dedupe_uq').on(t.dedupeKey), index('outbox_batches_status_idx').on(t.status, t.createdAt)],
);

export type OutboxBatch = typeof outboxBatches.$inferSelect;
export type LarkEventRow = typeof larkEvents.$inferSelect;
export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = typeof outbox.$inferInsert;
