/**
 * @module
 * Liveness of scheduled work: each scheduler stamps its run, and /readyz reports the stamps.
 */
import { heartbeats } from '../db/schema/system.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from './clock.ts';

export async function recordHeartbeat(db: Db, name: string, clock: Clock): Promise<Date> {
  const ranAt = clock.now();
  await db
    .insert(heartbeats)
    .values({ name, ranAt })
    .onConflictDoUpdate({ target: heartbeats.name, set: { ranAt } });
  return ranAt;
}

export async function lastHeartbeats(db: Db): Promise<Record<string, string>> {
  const rows = await db.select().from(heartbeats);
  return Object.fromEntries(rows.map((r) => [r.name, r.ranAt.toISOString()]));
}
