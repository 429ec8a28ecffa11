/**
 * @module
 * Lark delivers events at least once (it retries when it gets no 200 within 3 s). Claiming the
 * event id inside the transaction of the event's effect makes a re-delivery change nothing.
 */
import { larkEvents } from '../db/schema/lark.ts';
import type { Executor } from './outbox.ts';

/** True the first time an event id is claimed; false for a re-delivery. */
export async function claimEvent(tx: Executor, eventId: string, eventType: string): Promise<boolean> {
  const rows = await tx.insert(larkEvents).values({ eventId, eventType }).onConflictDoNothing().returning({ eventId: larkEvents.eventId });
  return rows.length > 0;
}
