/**
 * @module
 * The worker for housekeeping jobs on the `system` queue. Today: the heartbeat, which proves
 * that schedulers fire, workers run and the database takes writes.
 */
import type { Job } from 'bullmq';
import { recordHeartbeat } from '../../core/health.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../db/client.ts';
import { HEARTBEAT_SCHEDULER } from '../schedules.ts';

export function systemProcessor(deps: { db: Db; clock: Clock }) {
  return async (job: Job): Promise<unknown> => {
    switch (job.name) {
      case HEARTBEAT_SCHEDULER:
        return { ranAt: (await recordHeartbeat(deps.db, HEARTBEAT_SCHEDULER, deps.clock)).toISOString() };
      default:
        throw new Error(`Unknown system job ${job.name}`);
    }
  };
}
