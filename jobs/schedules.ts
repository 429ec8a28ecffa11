/**
 * @module
 * The job schedulers upserted at every boot. Stable ids make the upsert idempotent: restarting,
 * or starting several workers, leaves exactly one of each.
 */
import type { Queue } from 'bullmq';

export const HEARTBEAT_SCHEDULER = 'heartbeat';
/** Reads approved leave from Lark's attendance into the absences (jobs/workers/system.ts). */
export const ABSENCE_SYNC_SCHEDULER = 'absences-sync';

export interface ScheduleOptions {
  timeZone: string;
  /** How often the heartbeat runs; once a minute by default. */
  heartbeatEveryMs?: number;
  /** How often approved leave is read from Lark; every 3 hours by default. */
  absenceSyncEveryMs?: number;
}

export async function upsertSchedules(system: Queue, options: ScheduleOptions): Promise<void> {
  await system.upsertJobScheduler(
    HEARTBEAT_SCHEDULER,
    { every: options.heartbeatEveryMs ?? 60_000 },
    { name: HEARTBEAT_SCHEDULER, data: {}, opts: { removeOnComplete: 10, removeOnFail: 50 } },
  );
  await system.upsertJobScheduler(
    ABSENCE_SYNC_SCHEDULER,
    { every: options.absenceSyncEveryMs ?? 3 * 3_600_000 },
    { name: ABSENCE_SYNC_SCHEDULER, data: {}, opts: { removeOnComplete: 10, removeOnFail: 50 } },
  );
}

/** Evaluation schedulers (job names equal the scheduler ids; see jobs/workers/evaluation.ts). */
export const EVALUATION_SCHEDULERS = {
  closeDue: 'evaluation-close-due',
  sweep: 'evaluation-sweep',
  digest: 'evaluation-digest',
} as const;

export interface EvaluationScheduleOptions {
  timeZone: string;
  /** Closing due campaigns: every minute by default. */
  closeEveryMs?: number;
  /** The invitation and reminder sweep: every 5 minutes by default. */
  sweepEveryMs?: number;
  /** 'HH:MM' local time of the unit admins' daily digest; 17:30 by default. */
  digestAt?: string;
}

export async function upsertEvaluationSchedules(queue: Queue, options: EvaluationScheduleOptions): Promise<void> {
  const keep = { removeOnComplete: 10, removeOnFail: 50 };
  const [hour, minute] = (options.digestAt ?? '17:30').split(':').map(Number);
  await queue.upsertJobScheduler(EVALUATION_SCHEDULERS.closeDue, { every: options.closeEveryMs ?? 60_000 }, { name: EVALUATION_SCHEDULERS.closeDue, data: {}, opts: keep });
  await queue.upsertJobScheduler(EVALUATION_SCHEDULERS.sweep, { every: options.sweepEveryMs ?? 5 * 60_000 }, { name: EVALUATION_SCHEDULERS.sweep, data: {}, opts: keep });
  await queue.upsertJobScheduler(
    EVALUATION_SCHEDULERS.digest,
    { pattern: `${minute} ${hour} * * *`, tz: options.timeZone },
    { name: EVALUATION_SCHEDULERS.digest, data: {}, opts: keep },
  );
}
