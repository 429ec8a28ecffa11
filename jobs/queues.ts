/**
 * @module
 * The one place that knows where jobs live: Redis when `REDIS_URL` is set (production,
 * scale-out), otherwise BullMQ's PostgreSQL backend on Miaopu's own database. The rest of
 * the code asks this module for queues and workers and never learns which one it got.
 */
import {
  createPostgresBackend,
  DEFAULT_SCHEMA,
  createRedisBackend,
  Queue,
  runMigrations as runQueueMigrations,
  Worker,
  type BackendFactory,
  type JobsOptions,
  type Processor,
  type WorkerOptions,
} from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { redactError, type Logger } from '../core/logger.ts';
import { limitedErrorLog } from './error-log.ts';

/** The shell's queues; each feature names its own (features/…). A job carries row ids, never personal data. */
export const QUEUE = {
  /** Boot-time schedulers that prove the wiring and run the sweeps. */
  system: 'system',
  /** Every proactive Lark message; the job id is the outbox row id. */
  outbox: 'outbox',
} as const;
/** The shell's queues above, or a feature's own (features/…, `jobs.queue`). */
export type QueueName = string;

export interface QueueKit {
  backend: 'redis' | 'postgres';
  queue<Data = unknown>(name: QueueName, defaults?: JobsOptions): Queue<Data>;
  worker<Data = unknown>(
    name: QueueName,
    processor: Processor<Data>,
    options?: Omit<WorkerOptions, 'connection'>,
  ): Worker<Data>;
  /** Resolves when the backend answers; rejects with a readable reason otherwise. */
  ping(): Promise<void>;
  /** Closes every queue and worker it made (workers first, bounded), then the connections. */
  close(graceMs?: number): Promise<void>;
}

export class QueueUnreachableError extends Error {
  constructor(what: string, cause: unknown) {
    const reason = (cause as { code?: string })?.code ?? (cause as Error)?.message ?? String(cause);
    super(`Cannot reach ${what} (${reason}).`);
    this.name = 'QueueUnreachableError';
  }
}

function describeRedis(url: string): string {
  try {
    const u = new URL(url);
    return `Redis at ${u.hostname}:${u.port || 6379}`;
  } catch {
    return 'Redis';
  }
}

/** Fails fast (bounded time, no retry storm) when Redis refuses, so start-up can say so. */
export async function probeRedis(url: string): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // ioredis rejects with a bare "Connection is closed."; the cause (ECONNREFUSED, ENOTFOUND,
  // an auth error) arrives on the error event.
  let cause: unknown;
  probe.on('error', (error) => (cause ??= error));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new QueueUnreachableError(`${describeRedis(url)}; check REDIS_URL`, cause ?? error);
  } finally {
    probe.disconnect();
  }
}

export interface QueueKitOptions {
  redisUrl?: string;
  /** Used when `redisUrl` is unset. */
  databaseUrl: string;
  /** Redis key prefix; tests use one of their own. Defaults to BullMQ's `bull`. */
  redisPrefix?: string;
  /**
   * Where the backend's errors go (a connection lost, a refused reconnect): each kind at most
   * once a minute, with a count, as a summary (jobs/error-log.ts). Absent, they are dropped.
   */
  log?: Pick<Logger, 'error'>;
  /** The clock of that limit; tests pass their own. */
  now?: () => number;
}

/**
 * Builds the queue kit for the configured backend.
 * @example const kit = await createQueueKit({ databaseUrl, redisUrl: config.redisUrl })
 */
export async function createQueueKit(options: QueueKitOptions): Promise<QueueKit> {
  // Every queue, worker and pool reports the same outage: one limited handler for all of them.
  const onError = options.log ? limitedErrorLog(options.log, 'job queue error', { now: options.now }) : () => {};
  let factory: BackendFactory<any, any>;
  let connection: unknown;
  let ping: () => Promise<void>;
  let closeConnection: () => Promise<void>;
  let abandonConnection: () => Promise<void>;

  if (options.redisUrl) {
    await probeRedis(options.redisUrl);
    // BullMQ requires maxRetriesPerRequest: null for its blocking connections.
    const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null, connectTimeout: 5000 });
    redis.on('error', onError);
    factory = createRedisBackend;
    connection = redis;
    ping = async () => {
      await withTimeout(redis.ping(), 3000, describeRedis(options.redisUrl!));
    };
    closeConnection = async () => {
      await redis.quit().catch(() => redis.disconnect());
    };
    abandonConnection = async () => redis.disconnect();
  } else {
    // BullMQ's SQL uses unqualified names: a pool handed to it must put its schema on the path.
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 20,
      connectionTimeoutMillis: 8000,
      options: `-c search_path=${DEFAULT_SCHEMA}`,
      application_name: 'miaopu-jobs',
    });
    pool.on('error', onError);
    const client = await pool.connect().catch((error) => {
      throw new QueueUnreachableError('PostgreSQL for the job queues', error);
    });
    try {
      await runQueueMigrations(client);
    } finally {
      client.release();
    }
    factory = createPostgresBackend;
    connection = pool;
    ping = async () => {
      await withTimeout(pool.query('select 1'), 3000, 'the job queue database');
    };
    closeConnection = () => pool.end();
    // pool.end() waits for checked-out clients, which an abandoned job still holds.
    abandonConnection = async () => {
      pool.end().catch(() => {});
    };
  }

  const prefix = options.redisUrl && options.redisPrefix ? { prefix: options.redisPrefix } : {};
  const queues: Queue[] = [];
  const workers: Worker[] = [];
  return {
    backend: options.redisUrl ? 'redis' : 'postgres',
    queue<Data>(name: QueueName, defaults?: JobsOptions) {
      const queue = new Queue<Data>(name, { connection: connection as never, defaultJobOptions: defaults, ...prefix }, factory);
      queue.on('error', onError);
      queues.push(queue as Queue);
      return queue;
    },
    worker<Data>(name: QueueName, processor: Processor<Data>, opts?: Omit<WorkerOptions, 'connection'>) {
      // A failed job's reason and stack are kept in the queue and shown on the jobs page: a
      // failed query's parameters (names, mobiles) must not be among them.
      const guarded: Processor<Data> = async (...args) => {
        try {
          return await processor(...args);
        } catch (error) {
          throw redactError(error);
        }
      };
      const worker = new Worker<Data>(name, guarded, { ...opts, ...prefix, connection: connection as never }, factory);
      worker.on('error', onError);
      workers.push(worker as Worker);
      return worker;
    },
    ping,
    async close(graceMs = 10_000) {
      const orderly = (async () => {
        await Promise.all(workers.map((w) => w.close()));
        await Promise.all(queues.map((q) => q.close()));
        await closeConnection();
      })();
      const expired = await Promise.race([
        orderly.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
      ]);
      // A job still running after the grace period is abandoned: its lock expires and BullMQ's
      // stalled-job check hands it to the next worker, so it is retried, not lost.
      if (expired) {
        orderly.catch(() => {});
        await abandonConnection();
      }
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new QueueUnreachableError(what, new Error(`no answer within ${ms} ms`))), ms).unref(),
    ),
  ]);
}
