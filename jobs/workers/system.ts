/**
 * @module
 * The worker for housekeeping jobs on the `system` queue: the heartbeat, which proves that
 * schedulers fire, workers run and the database takes writes; and the read of approved leave
 * from Lark's attendance, which keeps the reminder engine's absences current.
 */
import type { Job } from 'bullmq';
import { recordHeartbeat } from '../../core/health.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../core/logger.ts';
import { syncLarkAbsences, type LeaveReader } from '../../core/reminders/lark-absences.ts';
import { addDays } from '../../core/reminders/calendar.ts';
import { localDay } from '../../core/reminders/time.ts';
import { LarkError } from '../../bot/lark.ts';
import { ABSENCE_SYNC_SCHEDULER, HEARTBEAT_SCHEDULER } from '../schedules.ts';

/** Lark's answer when the app lacks a scope. */
const NO_SCOPE = 99991672;

/**
 * The absence read: the past week (a leave approved late) to two months ahead. Without the
 * attendance scope it says so once in the log and skips, since absences can still be entered in
 * the panel.
 */
export function larkAbsenceSync(deps: { db: Db; clock: Clock; timeZone: string; read: LeaveReader; log: Logger }) {
  let toldNoScope = false;
  return async () => {
    const today = localDay(deps.clock.now(), deps.timeZone);
    try {
      return await syncLarkAbsences(deps.db, deps.read, { from: addDays(today, -7), to: addDays(today, 60) });
    } catch (error) {
      if (error instanceof LarkError && error.code === NO_SCOPE) {
        if (!toldNoScope) deps.log.warn('The Lark app has no attendance scope (attendance:task:readonly): absences come from the panel only.');
        toldNoScope = true;
        return { skipped: 'no attendance scope' };
      }
      throw error;
    }
  };
}

export function systemProcessor(deps: { db: Db; clock: Clock; syncAbsences?: () => Promise<unknown> }) {
  return async (job: Job): Promise<unknown> => {
    switch (job.name) {
      case HEARTBEAT_SCHEDULER:
        return { ranAt: (await recordHeartbeat(deps.db, HEARTBEAT_SCHEDULER, deps.clock)).toISOString() };
      case ABSENCE_SYNC_SCHEDULER:
        return deps.syncAbsences ? deps.syncAbsences() : { skipped: 'no Lark app' };
      default:
        throw new Error(`Unknown system job ${job.name}`);
    }
  };
}
