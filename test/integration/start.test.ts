/**
 * `npm start` as a user meets it: the process, its output, its exit codes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PAIR_COUNT } from '../../core/mentorship/demo.ts';
import { freePort } from '../../db/embedded.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { runMiaopu } from '../helpers/process.ts';

/** Split roles share one ballot seal secret. */
const SEAL_SECRET = 'start-test-ballot-seal-secret-0123456789';

async function readyz(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: res.status, body: await res.json() };
}

/** Whether a TCP connection to host:port is accepted (refused or unanswered: false). */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * An address of this machine that other machines would use, provided that a server listening on
 * all interfaces is reachable through it here (some sandboxes cannot reach their own address).
 */
async function reachableOwnAddress(): Promise<string | undefined> {
  const candidates = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
  for (const address of candidates) {
    const control = createServer((socket) => socket.destroy());
    const port = await new Promise<number>((r) => control.listen(0, '0.0.0.0', () => r((control.address() as { port: number }).port)));
    const ok = await connects(address, port);
    await new Promise((r) => control.close(r));
    if (ok) return address;
  }
  return undefined;
}

const tokenFor = async (port: number, appSecret: string) =>
  (await fetch(`http://127.0.0.1:${port}/sandbox/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ app_id: 'cli_a1b2c3d4e5f60718', app_secret: appSecret }),
  })).status;

describe('starting Miaopu', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await testDatabase();
  });
  afterAll(() => t.drop());

  it('refuses a bad variable with its name and exit code 1', async () => {
    const run = runMiaopu({ PORT: 'eighty', ROLE: 'both' });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.output()).toContain('PORT: must be a whole number between 1 and 65535');
    expect(run.output()).toContain('ROLE: must be one of web, worker, all');
    expect(run.output()).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('refuses webhook and websocket mode without the Lark event keys, naming them, exit code 1', async () => {
    const app = { LARK_APP_ID: 'cli_a1b2c3d4e5f6a7b8', LARK_APP_SECRET: 'app-secret', BALLOT_SEAL_SECRET: SEAL_SECRET, DATABASE_URL: t.url, PORT: String(await freePort()) };
    const runs = [app, { ...app, LARK_MODE: 'websocket' }, { ...app, LARK_ENCRYPT_KEY: 'only-the-key' }].map((env) => runMiaopu(env));
    for (const run of runs) {
      const { code } = await run.exited;
      expect(code).toBe(1);
      expect(run.output()).toMatch(/Miaopu could not start\. Invalid configuration:\n {2}- (LARK_ENCRYPT_KEY and )?LARK_VERIFICATION_TOKEN: (both are|is) required when LARK_MODE is (webhook|websocket)/);
      expect(run.output()).not.toContain('Miaopu is running');
      expect(run.output()).not.toMatch(/\n\s+at /);
    }
  });

  it('says which database it cannot reach, within 10 seconds', async () => {
    const run = runMiaopu({ DATABASE_URL: 'postgres://miaopu:secret@127.0.0.1:1/miaopu', PORT: String(await freePort()) });
    const { code, ms } = await run.exited;
    expect(code).toBe(1);
    expect(ms).toBeLessThan(10_000);
    expect(run.output()).toContain('Cannot reach PostgreSQL at 127.0.0.1:1/miaopu');
    expect(run.output()).not.toContain('secret');
  });

  it('says Redis refuses, within 10 seconds', async () => {
    const run = runMiaopu({ DATABASE_URL: t.url, REDIS_URL: 'redis://127.0.0.1:1', PORT: String(await freePort()) });
    const { code, ms } = await run.exited;
    expect(code).toBe(1);
    expect(ms).toBeLessThan(10_000);
    expect(run.output()).toContain('Cannot reach Redis at 127.0.0.1:1');
  });

  it('names the port when it is taken', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(port, () => r()));
    try {
      const run = runMiaopu({ DATABASE_URL: t.url, PORT: String(port) });
      const { code } = await run.exited;
      expect(code).toBe(1);
      expect(run.output()).toContain(`Port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('serves /readyz, prints the login once, and stops cleanly on SIGTERM', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const run = runMiaopu({ DATABASE_URL: t.url, PORT: String(port) });
    const [, password] = await run.waitFor(/Sign in as "admin" with password: (\S+)/);
    expect(password).toMatch(/^[a-zA-Z2-9]{16}$/);
    expect(run.output()).toContain(`Panel:  http://localhost:${port}/`);
    const ready = await readyz(port);
    expect(ready.status).toBe(200);
    expect(ready.body.queueBackend).toBe('postgres');
    const { code } = await run.stop('SIGTERM');
    expect(code).toBe(0);

    // The second start finds the admin and does not print a new password.
    const again = runMiaopu({ DATABASE_URL: t.url, PORT: String(port) });
    await again.waitFor(/Sign in as "admin" \(or another panel user\)/);
    expect(again.output()).not.toMatch(/with password:/);
    expect((await again.stop('SIGINT')).code).toBe(0);
  });

  it('in sandbox mode listens on 127.0.0.1 only, says so, and prints a sandbox access secret made at this start', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const run = runMiaopu({ DATABASE_URL: t.url, PORT: String(port) });
    await run.waitFor(/Miaopu is running[\s\S]*\n\n/);
    expect(run.output()).toContain(`Listening on 127.0.0.1:${port} only`);
    const [, secret] = run.output().match(/Sandbox access secret \(for "Sign in with Lark" and the sandbox API\): (\S+)/)!;
    expect(await tokenFor(port, 'sandbox-secret-not-for-production')).toBe(400);
    expect(await tokenFor(port, secret!)).toBe(200);
    expect(await connects('127.0.0.1', port)).toBe(true);
    const own = await reachableOwnAddress();
    if (own) expect(await connects(own, port)).toBe(false);
    else console.warn('start.test: no non-loopback address of this machine is reachable here; checked the banner and 127.0.0.1 only');
    expect((await run.stop('SIGTERM')).code).toBe(0);
  });

  it('refuses to open the sandbox to the network without SANDBOX_ALLOW_NETWORK, and warns with it', { timeout: 120_000 }, async () => {
    const refused = runMiaopu({ DATABASE_URL: t.url, PORT: String(await freePort()), HOST: '0.0.0.0' });
    expect((await refused.exited).code).toBe(1);
    expect(refused.output()).toMatch(/HOST: 0\.0\.0\.0 would make the Lark sandbox .* SANDBOX_ALLOW_NETWORK=true/);
    expect(refused.output()).not.toMatch(/\n\s+at /);

    const port = await freePort();
    const open = runMiaopu({ DATABASE_URL: t.url, PORT: String(port), HOST: '0.0.0.0', SANDBOX_ALLOW_NETWORK: 'true' });
    await open.waitFor(/Miaopu is running[\s\S]*\n\n/);
    expect(open.output()).toContain(`Listening on 0.0.0.0:${port}\n`);
    // The log line is written by pino's own stream, which may come just after the banner.
    await open.waitFor(/"level":40.*The Lark sandbox is reachable from the network/);
    expect(open.output()).toContain('  WARNING: The Lark sandbox is reachable from the network');
    const own = await reachableOwnAddress();
    if (own) expect(await connects(own, port)).toBe(true);
    expect((await open.stop('SIGTERM')).code).toBe(0);
  });

  it('lets two processes start at once on one fresh database without doubling anything', { timeout: 120_000 }, async () => {
    const fresh = await testDatabase();
    try {
      const [web, worker] = [
        runMiaopu({ DATABASE_URL: fresh.url, ROLE: 'web', PORT: String(await freePort()), BALLOT_SEAL_SECRET: SEAL_SECRET }),
        runMiaopu({ DATABASE_URL: fresh.url, ROLE: 'worker', PORT: String(await freePort()), BALLOT_SEAL_SECRET: SEAL_SECRET }),
      ];
      await Promise.all([web.waitFor(/Miaopu is running \(web/), worker.waitFor(/Miaopu is running \(worker/)]);
      // The mentorship demo grows the roster with young cadres (QHM…): the district's 300 stay 300.
      const [counts] = await fresh.sql`select (select count(*)::int from units) as units, (select count(*)::int from cadres where employee_no not like 'QHM%') as cadres,
        (select count(*)::int from mentorship_pairs) as pairs,
        (select count(*)::int from panel_users where username = 'admin') as admins,
        (select count(*)::int from evaluation_templates) as templates`;
      expect(counts).toEqual({ units: 13, cadres: 300, pairs: expect.any(Number), admins: 1, templates: 2 });
      expect(counts!.pairs).toBeGreaterThan(300);
      expect(counts!.pairs).toBeLessThanOrEqual(DEMO_PAIR_COUNT);
      const printed = [web.output(), worker.output()].filter((o) => /with password:/.test(o));
      expect(printed).toHaveLength(1);
      expect((await web.stop()).code).toBe(0);
      expect((await worker.stop()).code).toBe(0);
    } finally {
      await fresh.drop();
    }
  });

  it('keeps embedded data across restarts and refuses a second instance on the same DATA_DIR', { timeout: 180_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'miaopu-start-'));
    try {
      const port = await freePort();
      const first = runMiaopu({ DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' });
      await first.waitFor(/Sign in as "admin" with password:/, 90_000);
      expect(first.output()).toContain('"cadres":300');
      expect((await readyz(port)).status).toBe(200);

      const second = runMiaopu({ DATA_DIR: dataDir, PORT: String(await freePort()) });
      const { code } = await second.exited;
      expect(code).toBe(1);
      expect(second.output()).toContain(`Another Miaopu (process ${first.child.pid}) is already running with DATA_DIR=${dataDir}`);
      expect((await readyz(port)).status).toBe(200);

      expect((await first.stop('SIGTERM')).code).toBe(0);

      const restarted = runMiaopu({ DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' });
      await restarted.waitFor(/Sign in as "admin" \(or another panel user\)/, 90_000);
      expect(restarted.output()).not.toContain('seeded the demo district');
      expect((await readyz(port)).status).toBe(200);
      expect((await restarted.stop('SIGTERM')).code).toBe(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
