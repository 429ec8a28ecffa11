/**
 * @module
 * The composition root: config → database → queues → web and workers, and a graceful
 * shutdown in reverse. Every object is built here and passed down; nothing below is a
 * singleton.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { ConfigError, isLoopback, loadConfig, type Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import { systemClock } from './core/clock.ts';
import { seedDemo } from './core/demo.ts';
import { createLogger, redactError, type Logger } from './core/logger.ts';
import { ADMIN_USERNAME, ensureAdmin, seedDemoPanelUsers } from './core/users.ts';
import { ensureBuiltinCalendar } from './core/reminders/store.ts';
import { createQueueKit, QUEUE, type QueueKit } from './jobs/queues.ts';
import { upsertSchedules } from './jobs/schedules.ts';
import { larkAbsenceSync, systemProcessor } from './jobs/workers/system.ts';
import { createApp } from './web/app.ts';
import { FEATURES } from './features/index.ts';
import { assembleFeatures, panelPartsOf, registerPending, SHELL_RESERVED, startFeatureJobs } from './features/assemble.ts';
import { simulatorAccess } from './web/sandbox.tsx';
import { createLarkLayer, type LarkLayer } from './bot/setup.ts';
import { createPendingRegistry } from './core/pending.ts';
import { createOutboxQueue } from './jobs/outbox.ts';
import { startOutboxWorker } from './jobs/workers/outbox.ts';
import { randomBytes } from 'node:crypto';
import { sealKeyFrom } from './core/evaluation/seal.ts';

/** A failure the operator can fix; printed as one clear line, without a stack trace. */
class StartError extends Error {}

const SHUTDOWN_GRACE_MS = 10_000;

/** `host:port` as one writes it (IPv6 in brackets). */
const hostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/**
 * Without BALLOT_SEAL_SECRET (sandbox only): a secret made once and kept in DATA_DIR, because
 * slips of an open campaign wait sealed under the ballot key and a new key at each start would
 * leave them unreadable.
 */
async function sandboxSealSecret(dataDir: string): Promise<string> {
  const file = join(dataDir, 'ballot-seal.secret');
  const read = async () => (await readFile(file, 'utf8')).trim();
  try {
    return await read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  try {
    await writeFile(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return read();
}

/** Fails early, before any database work, when the HTTP port is taken. */
function ensurePortFree(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new StartError(
          error.code === 'EADDRINUSE'
            ? `Port ${port} is already in use. Stop what uses it or set PORT to another port.`
            : `Cannot listen on port ${port}: ${error.message}`,
        ),
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

function listen(app: ReturnType<typeof createApp>, port: number, hostname: string): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new StartError(error.code === 'EADDRINUSE' ? `Port ${port} is already in use.` : error.message)),
    );
  });
}

async function start(config: Config, log: Logger) {
  const runsWeb = config.role !== 'worker';
  const runsWorker = config.role !== 'web';
  if (runsWeb) await ensurePortFree(config.port, config.host);

  const stops: Array<() => Promise<void>> = [];
  let database: Database | undefined;
  let kit: QueueKit | undefined;
  let server: ServerType | undefined;
  let lark: LarkLayer | undefined;
  try {
    database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      log: (message) => log.warn({ component: 'embedded-postgres' }, message),
    });
    const { db } = database;
    log.info({ embedded: database.embedded }, database.embedded ? `embedded PostgreSQL running, data in ${config.dataDir}` : 'connected to PostgreSQL');
    // Reach every service before writing anything, so a failed start leaves no half-done state
    // (such as an admin whose generated password was never shown).
    kit = await createQueueKit({
      redisUrl: config.redisUrl,
      databaseUrl: database.url,
      log: log.child({ component: 'queue' }),
    });
    await runMigrations(db, database.sql);

    const clock = systemClock;
    // The ballot key: drafts in cards, web-ballot links and held slips are sealed with it.
    if (!config.ballotSealSecret) log.info(`sandbox mode: the ballot key is kept in ${join(config.dataDir, 'ballot-seal.secret')} (set BALLOT_SEAL_SECRET outside the sandbox)`);
    const sealKey = sealKeyFrom(config.ballotSealSecret ?? (await sandboxSealSecret(config.dataDir)));
    const outboxQueue = createOutboxQueue(db, kit.queue(QUEUE.outbox));
    const queues = kit;
    // Every feature, built once with the same context (features/index.ts).
    const features = assembleFeatures(
      FEATURES,
      { db, log, clock, timeZone: config.timeZone, publicUrl: config.publicUrl, sandbox: config.lark.mode === 'sandbox', sealKey, queue: (name) => queues.queue(name), flushOutbox: outboxQueue.flush },
      SHELL_RESERVED,
    );

    if (config.lark.mode === 'sandbox') {
      const seeded = await seedDemo(db);
      if (seeded.seeded) log.info(seeded, 'sandbox mode: seeded the demo district 青禾区');
      // Panel users linked to demo cadres, for "Sign in with Lark" against the sandbox.
      await seedDemoPanelUsers(db);
    }
    const admin = await ensureAdmin(db, config.adminPassword);
    await ensureBuiltinCalendar(db);
    for (const { install } of features.installs) await install(db);
    if (config.lark.mode === 'sandbox') for (const { seed } of features.seeds) await seed(db);

    if (runsWorker) await startFeatureJobs(features, kit);

    // Lark layer: the bot (receiver, router, sandbox) with the features' commands and card
    // actions, 待办 from every feature, and the outbox worker.
    const pending = createPendingRegistry(log);
    registerPending(features, pending);
    // In sandbox mode the chat simulator is for district admins, and acting as a cadre is audited.
    lark = createLarkLayer({
      config,
      db,
      log,
      pending,
      flushOutbox: outboxQueue.flush,
      simulator: simulatorAccess({ db, clock, trustProxy: config.trustProxy }),
      commands: features.commands,
      cardActions: features.cardActions,
    });

    // Housekeeping: the heartbeat, and approved leave read from Lark's attendance into absences.
    if (runsWorker) {
      const api = lark.api;
      const syncAbsences = larkAbsenceSync({ db, clock, timeZone: config.timeZone, read: (ids, from, to) => api.leaveApprovals(ids, from, to), log: log.child({ component: 'absences' }) });
      kit.worker(QUEUE.system, systemProcessor({ db, clock, syncAbsences }));
      await upsertSchedules(kit.queue(QUEUE.system), { timeZone: config.timeZone });
    }

    if (runsWorker) {
      await startOutboxWorker(kit, { db, lark: lark.api, clock, log: log.child({ component: 'outbox' }) });
      const requeued = await outboxQueue.recover();
      if (requeued > 0) log.info({ requeued }, 'outbox: re-queued pending messages');
    }

    if (runsWeb) {
      const app = createApp({
        db,
        log,
        pingQueue: kit.ping,
        queueBackend: kit.backend,
        // The admin panel (web/panel.ts).
        panel: {
          clock,
          publicUrl: config.publicUrl,
          // TRUST_PROXY: the client's address behind a load balancer (sign-in throttling, audit).
          trustProxy: config.trustProxy,
          sandbox: config.lark.mode === 'sandbox',
          // In sandbox mode: the served sandbox, whose app secret is the sandbox access secret.
          lark: lark.oauthClient,
          queues: kit,
          // TZ_NAME: times are entered and shown in it.
          timeZone: config.timeZone,
          // The features' menu entries, pages, queues, review items and timeline entries.
          ...panelPartsOf(features),
        },
      });
      app.route('/', lark.routes);
      server = await listen(app, config.port, config.host);
      lark.start();
    }

    const lines = [`Miaopu is running (${config.role}; jobs on ${kit.backend === 'redis' ? 'Redis' : 'PostgreSQL'}; Lark: ${config.lark.mode}).`];
    if (runsWeb) lines.push(`  Panel:  ${config.publicUrl}/`, `  Ready:  ${config.publicUrl}/readyz`);
    if (runsWeb) {
      const where = hostPort(config.host, config.port);
      const sandboxOpen = lark.sandbox && !isLoopback(config.host);
      lines.push(`  Listening on ${where}${isLoopback(config.host) ? ' only (loopback: not reachable from other machines; see HOST)' : ''}`);
      if (sandboxOpen) {
        const warning = `The Lark sandbox is reachable from the network on ${where} (SANDBOX_ALLOW_NETWORK=true). Anyone who reaches it can try the sandbox sign-in; keep the sandbox access secret and the admin password to yourself, and never put real personnel data in a sandbox.`;
        log.warn({ host: config.host }, warning);
        lines.push(`  WARNING: ${warning}`);
      }
    }
    if (runsWeb && lark.sandbox) {
      lines.push(`  Lark sandbox chat simulator: ${config.publicUrl}/sandbox/chat (district admins)`);
      lines.push(
        config.lark.appSecret
          ? '  Sandbox access secret (for "Sign in with Lark" and the sandbox API): the value of LARK_APP_SECRET'
          : `  Sandbox access secret (for "Sign in with Lark" and the sandbox API): ${lark.sandbox.state.appSecret}   (${config.ballotSealSecret ? 'derived from BALLOT_SEAL_SECRET' : 'new at every start'})`,
      );
    }
    if (admin.generatedPassword) {
      lines.push(`  Sign in as "${ADMIN_USERNAME}" with password: ${admin.generatedPassword}`, '  (shown only this once; set ADMIN_PASSWORD to choose your own)');
    } else if (admin.created) {
      lines.push(`  Sign in as "${ADMIN_USERNAME}" with the password from ADMIN_PASSWORD.`);
    } else if (runsWeb) {
      lines.push(`  Sign in as "${ADMIN_USERNAME}" (or another panel user) with your password.`);
    }
    process.stdout.write(`\n${lines.join('\n')}\n\n`);
  } catch (error) {
    lark?.stop();
    await shutdown(log, server, kit, database).catch(() => {});
    throw error;
  }
  if (lark) stops.push(async () => lark!.stop());
  return { server, kit, database, stops };
}

async function shutdown(log: Logger, server?: ServerType, kit?: QueueKit, database?: Database): Promise<void> {
  if (server) {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Idle keep-alive sockets would hold close() open; requests in flight still finish.
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      setTimeout(() => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        resolve();
      }, SHUTDOWN_GRACE_MS).unref();
    });
  }
  if (kit) await kit.close(SHUTDOWN_GRACE_MS).catch((err) => log.error({ err }, 'closing the job queues failed'));
  if (database) await database.close();
}

async function main() {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Miaopu could not start. ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log: Logger = createLogger({ level: config.logLevel, base: { role: config.role } });

  // Signals are handled from the first moment: one that arrives during start-up stops Miaopu
  // as soon as start-up has finished, so the embedded database is never left half-started.
  let running: Awaited<ReturnType<typeof start>> | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write('Second signal: exiting now.\n');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    if (!running) return; // start() sees `stopping` when it returns
    const { stops, server, kit, database } = running;
    Promise.all(stops.map((s) => s()))
      .then(() => shutdown(log, server, kit, database))
      .then(() => {
        log.info('stopped');
        process.exit(0);
      })
      .catch((err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  try {
    running = await start(config, log);
  } catch (error) {
    const known = error instanceof StartError || ['DataDirLockedError', 'DatabaseUnreachableError', 'QueueUnreachableError'].includes((error as Error).name);
    // A failed query's message holds its parameters: printed without them.
    process.stderr.write(`Miaopu could not start: ${(redactError(error) as Error).message}\n`);
    if (!known) log.error({ err: error }, 'start failed');
    process.exit(1);
  }
  if (stopping) {
    stopping = false;
    stop('signal during start-up');
  }
}

await main();
