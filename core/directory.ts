/**
 * @module
 * Who is who in Lark: the cadre behind an open_id.
 */
import { eq } from 'drizzle-orm';
import { cadres } from '../db/schema/org.ts';
import type { Executor } from './outbox.ts';

export interface ChatIdentity {
  cadreId: number;
  status: (typeof cadres.$inferSelect)['status'];
}

/** The cadre with this Lark open_id, or undefined for someone not registered. */
export async function cadreByOpenId(db: Executor, openId: string): Promise<ChatIdentity | undefined> {
  const [row] = await db.select({ cadreId: cadres.id, status: cadres.status }).from(cadres).where(eq(cadres.larkOpenId, openId));
  return row;
}
