/**
 * @module
 * Puts outbox rows on the `outbox` queue. The job id is the row id, so queueing a row twice
 * (a retry, the boot-time recovery) still makes one job; the job carries only the id.
 */
import type { JobsOptions, Queue } from 'bullmq';
import type { Db } from '../db/client.ts';
import { addBatch, addToOutbox, pendingBatchIds, pendingOutboxIds, type BatchAnnouncement, type OutboxMessage } from '../core/outbox.ts';

export const OUTBOX_JOB = 'send';
/** A batch announcement (see `addBatch`); the job id is `batch-<row id>`. */
export const OUTBOX_BATCH_JOB = 'batch';

export interface OutboxJob {
  id: string;
}

/** Rate limits do not use attempts (the job goes back to wait); these are for 5xx and network errors. */
export const OUTBOX_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: 1000,
};

export interface OutboxQueue {
  /** Queues rows already committed. */
  flush(ids: string[]): Promise<void>;
  /** Writes a message and queues it: for callers outside a transaction. */
  send(message: OutboxMessage): Promise<string | undefined>;
  /** Writes an announcement for Lark's batch send and queues it. */
  announce(batch: BatchAnnouncement): Promise<string | undefined>;
  /** Queues batches already committed. */
  flushBatches(ids: string[]): Promise<void>;
  /** Queues every row and batch still pending: at boot, so a queue that lost its data loses no message. */
  recover(): Promise<number>;
}

export function createOutboxQueue(db: Db, queue: Queue<OutboxJob>): OutboxQueue {
  const flush = async (ids: string[]) => {
    for (let i = 0; i < ids.length; i += 500) {
      await queue.addBulk(ids.slice(i, i + 500).map((id) => ({ name: OUTBOX_JOB, data: { id }, opts: { ...OUTBOX_JOB_OPTIONS, jobId: id } })));
    }
  };
  const flushBatches = async (ids: string[]) => {
    if (ids.length) await queue.addBulk(ids.map((id) => ({ name: OUTBOX_BATCH_JOB, data: { id }, opts: { ...OUTBOX_JOB_OPTIONS, jobId: `batch-${id}` } })));
  };
  return {
    flush,
    flushBatches,
    async announce(batch) {
      const id = await addBatch(db, batch);
      if (id) await flushBatches([id]);
      return id;
    },
    async send(message) {
      const id = await addToOutbox(db, message);
      if (id) await flush([id]);
      return id;
    },
    async recover() {
      const [ids, batches] = await Promise.all([pendingOutboxIds(db), pendingBatchIds(db)]);
      await flush(ids);
      await flushBatches(batches);
      return ids.length + batches.length;
    },
  };
}
