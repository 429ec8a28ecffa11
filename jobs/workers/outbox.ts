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
import {
  BATCH_CHUNK,
  batchRow,
  finishBatch,
  markFailed,
  markSent,
  noteBatchAttempt,
  noteError,
  outboxRow,
  recordAttempt,
  recordBatchChunk,
  sendsSince,
} from '../../core/outbox.ts';
import { LarkError, type LarkApi } from '../../bot/lark.ts';
import { createSendLimiter, type Limits, type SendLimiter } from '../limiter.ts';
import type { QueueKit } from '../queues.ts';
import { QUEUE } from '../queues.ts';
import { createOutboxQueue, OUTBOX_BATCH_JOB, type OutboxJob } from '../outbox.ts';

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
      } else if (row.kind === 'urgent') {
        const { invalidOpenIds } = await deps.lark.urgentApp(row.larkMessageId!, [row.recipient]);
        if (invalidOpenIds.includes(row.recipient)) throw new LarkError('permanent', 'urgent notice refused for this recipient');
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
      const failure = failureOf(error);
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

/** Why a send failed, as a short text kept on the row (never the payload). */
function failureOf(error: unknown): LarkError {
  return error instanceof LarkError ? error : new LarkError('transient', String((error as Error)?.message ?? error));
}

/**
 * Sends a batch announcement in chunks of Lark's maximum, checkpointing after each chunk Lark
 * accepted, so a retry (after a crash, a 5xx or a 429) resumes with the next chunk. Lark's batch
 * send takes no idempotency key: a crash between Lark's answer and the checkpoint can repeat one
 * chunk, which is why only announcements that are never patched go this way.
 */
export function batchProcessor(deps: OutboxWorkerDeps) {
  const { db, clock, log } = deps;
  return async (job: Job<OutboxJob>): Promise<string> => {
    let batch = await batchRow(db, job.data.id);
    if (!batch || batch.status !== 'pending') return 'skipped';
    let sent = batch.sentCount;
    while (sent < batch.openIds.length) {
      const chunk = batch.openIds.slice(sent, sent + BATCH_CHUNK);
      await deps.limiter.acquire(`batch:${batch.id}`);
      try {
        const res = await deps.lark.batchSend({ msgType: batch.msgType as 'text' | 'interactive', openIds: chunk, content: batch.payload });
        sent += chunk.length;
        batch = await recordBatchChunk(db, batch, { sentCount: sent, messageId: res.messageId, invalidOpenIds: res.invalidOpenIds }, clock);
        await job.updateProgress(Math.round((100 * sent) / batch.openIds.length));
      } catch (error) {
        const failure = failureOf(error);
        const reason = failure.message.slice(0, 500);
        await noteBatchAttempt(db, batch.id, reason, clock);
        if (failure.kind === 'rate_limited') {
          log.warn({ batchId: batch.id, code: failure.code, waitMs: failure.retryAfterMs }, 'Lark rate limit: pausing the outbox');
          await deps.queue.rateLimit(failure.retryAfterMs ?? 1000);
          throw new RateLimitError();
        }
        if (failure.kind === 'permanent' || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
          await finishBatch(db, batch.id, 'failed', clock, reason);
          log.warn({ batchId: batch.id, code: failure.code }, 'batch announcement failed');
          throw failure.kind === 'permanent' ? new UnrecoverableError(reason) : failure;
        }
        throw failure;
      } finally {
        deps.limiter.release(`batch:${batch.id}`);
      }
    }
    await finishBatch(db, batch.id, 'sent', clock);
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
  const announce = batchProcessor({ ...deps, limiter, queue });
  const outbox = createOutboxQueue(deps.db, queue);
  const worker = kit.worker<OutboxJob>(
    QUEUE.outbox,
    async (job) => {
      if (job.name === OUTBOX_RECOVER_SCHEDULER) return `requeued ${await outbox.recover()}`;
      if (job.name === OUTBOX_BATCH_JOB) return announce(job);
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
