/**
 * @module
 * What the Lark adapter keeps: the events already handled (so a re-delivery changes nothing)
 * and the outbox, one row per proactive message, which the outbox worker sends.
 */
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
/** `send` posts a new message; `patch` replaces the content of a card the bot sent earlier. */
export const outboxKind = pgEnum('outbox_kind', ['send', 'patch']);

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

export type LarkEventRow = typeof larkEvents.$inferSelect;
export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = typeof outbox.$inferInsert;
