/**
 * @module
 * The job schedulers upserted at every boot. Stable ids make the upsert idempotent: restarting,
 * or starting several workers, leaves exactly one of each.
 */
import type { Queue } from 'bullmq';

export const HEARTBEAT_SCHEDULER = 'heartbeat';

export interface ScheduleOptions {
  timeZone: string;
  /** How often the heartbeat runs; once a minute by default. */
  heartbeatEveryMs?: number;
}

export async function upsertSchedules(system: Queue, options: ScheduleOptions): Promise<void> {
  await system.upsertJobScheduler(
    HEARTBEAT_SCHEDULER,
    { every: options.heartbeatEveryMs ?? 60_000 },
    { name: HEARTBEAT_SCHEDULER, data: {}, opts: { removeOnComplete: 10, removeOnFail: 50 } },
  );
}
