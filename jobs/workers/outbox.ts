/**
 * @module
 * The outbox worker: sends one outbox row to Lark per job, within Lark's limits. The row id is
 * the call's `uuid`, so a job retried after a crash cannot deliver twice. A 429 pauses the whole
 * queue for the time Lark asked; a permanent failure (recipient unknown, bot not visible, card
 * invalid) stops retrying and stays visible to admins as a failed row.
 */
import { RateLimitError, UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Db } from '../../db/client.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { markFailed, markSent, noteError, outboxRow, recordAttempt, sendsSince } from '../../core/outbox.ts';
import { LarkError, type LarkApi } from '../../bot/lark.ts';
import { createSendLimiter, type Limits, type SendLimiter } from '../limiter.ts';
import type { QueueKit } from '../queues.ts';
import { QUEUE } from '../queues.ts';
import { createOutboxQueue, type OutboxJob } from '../outbox.ts';

/** The scheduler that re-queues rows left pending (a queue that lost jobs, a failed flush). */
export const OUTBOX_RECOVER_SCHEDULER = 'outbox-recover';

export const LARK_SEND_LIMITS: Limits = { perSecond: 50, perMinute: 1000, perRecipient: 5 };

export interface OutboxWorkerDeps {
  db: Db;
  lark: LarkApi;
  limiter: SendLimiter;
  /** The outbox queue, paused as a whole on a 429. */
  queue: Queue<OutboxJob>;
  clock: Clock;
  log: Logger;
}

export function outboxProcessor(deps: OutboxWorkerDeps) {
  const { db, clock, log } = deps;
  return async (job: Job<OutboxJob>): Promise<string> => {
    const row = await outboxRow(db, job.data.id);
    // Already done (a duplicate job, or a retry after the row was marked): nothing to do.
    if (!row || row.status !== 'pending') return 'skipped';
    await recordAttempt(db, row.id, clock);
    let messageId: string | undefined;
    await deps.limiter.acquire(row.recipient);
    try {
      if (row.kind === 'patch') {
        await deps.lark.patchMessage(row.larkMessageId!, row.payload);
      } else {
        const sent = await deps.lark.sendMessage({
          receiveId: row.recipient,
          receiveIdType: row.receiveIdType as 'open_id' | 'chat_id',
          msgType: row.msgType,
          content: row.payload,
          uuid: row.id,
        });
        messageId = sent.messageId;
      }
    } catch (error) {
      const failure = error instanceof LarkError ? error : new LarkError('transient', String((error as Error)?.message ?? error));
      const reason = failure.message.slice(0, 500);
      if (failure.kind === 'rate_limited') {
        // Pause the queue for the time Lark asked instead of hammering it; the job goes back
        // to wait without using an attempt.
        await noteError(db, row.id, reason, clock);
        log.warn({ outboxId: row.id, code: failure.code, waitMs: failure.retryAfterMs }, 'Lark rate limit: pausing the outbox');
        await deps.queue.rateLimit(failure.retryAfterMs ?? 1000);
        throw new RateLimitError();
      }
      if (failure.kind === 'permanent') {
        await markFailed(db, row.id, reason, clock);
        log.warn({ outboxId: row.id, code: failure.code }, 'outbox message failed permanently');
        throw new UnrecoverableError(reason);
      }
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (last) await markFailed(db, row.id, reason, clock);
      else await noteError(db, row.id, reason, clock);
      throw failure;
    } finally {
      deps.limiter.release(row.recipient);
    }
    await markSent(db, row.id, messageId, clock.now());
    return 'sent';
  };
}

/**
 * Starts the outbox worker. The limiter learns the last minute's sends from the outbox, so a
 * restarted worker does not spend a budget its predecessor already used.
 */
export async function startOutboxWorker(
  kit: QueueKit,
  deps: Omit<OutboxWorkerDeps, 'limiter' | 'queue'> & { limits?: Limits; concurrency?: number; queue?: Queue<OutboxJob> },
) {
  const limiter = createSendLimiter(deps.limits ?? LARK_SEND_LIMITS);
  const recent = await sendsSince(deps.db, new Date(Date.now() - 61_000));
  limiter.seed(recent.map((s) => ({ recipient: s.recipient, at: s.sentAt.getTime() })));
  const queue = deps.queue ?? kit.queue<OutboxJob>(QUEUE.outbox);
  const send = outboxProcessor({ ...deps, limiter, queue });
  const outbox = createOutboxQueue(deps.db, queue);
  const worker = kit.worker<OutboxJob>(
    QUEUE.outbox,
    async (job) => {
      if (job.name === OUTBOX_RECOVER_SCHEDULER) return `requeued ${await outbox.recover()}`;
      return send(job);
    },
    // The queue-wide limiter: a coarse guard shared by every worker process (BullMQ's fixed
    // windows; 5 per 100 ms keeps even a badly aligned sliding second near 50), and what makes
    // `queue.rateLimit` pause the queue on a 429. The exact sliding limits are the limiter above.
    { concurrency: deps.concurrency ?? 16, limiter: { max: 5, duration: 100 } },
  );
  await queue.upsertJobScheduler(
    OUTBOX_RECOVER_SCHEDULER,
    { every: 5 * 60_000 },
    { name: OUTBOX_RECOVER_SCHEDULER, data: { id: '' }, opts: { removeOnComplete: 10, removeOnFail: 50 } },
  );
  return { worker, queue, limiter };
}
