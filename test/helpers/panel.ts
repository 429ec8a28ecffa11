/**
 * The panel built on a test database, plus a tiny cookie-keeping client so tests read like a
 * person using the panel: sign in, open pages, post forms.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { panelUsers, type PanelRole } from '../../db/schema/users.ts';
import { fixedClock } from '../../core/clock.ts';
import { hashPassword } from '../../core/passwords.ts';
import { sealKeyFrom } from '../../core/evaluation/seal.ts';
import { createApp } from '../../web/app.ts';
import type { PanelDeps } from '../../web/context.ts';
import { memoryLogger, type MemoryLogger } from './log.ts';
import type { Clock } from '../../core/clock.ts';
import { FEATURES } from '../../features/index.ts';
import { assembleFeatures, panelPartsOf, SHELL_RESERVED } from '../../features/assemble.ts';
import type { Feature, FeatureContext } from '../../features/feature.ts';

export const ORIGIN = 'http://localhost';
/** The ballot key of test panels: tests that cast or close through core use it too. */
export const TEST_SEAL_KEY = sealKeyFrom('test-secret');

/** A test context for the features: the panel's clock, key and zone, no queues. */
export function testFeatureContext(db: Db, log: MemoryLogger, options: { clock: Clock; sealKey?: Buffer; timeZone?: string; publicUrl?: string }): FeatureContext {
  return {
    db,
    log,
    clock: options.clock,
    timeZone: options.timeZone ?? 'Asia/Shanghai',
    publicUrl: options.publicUrl ?? ORIGIN,
    sandbox: true,
    sealKey: options.sealKey ?? TEST_SEAL_KEY,
    flushOutbox: async () => {},
  };
}

export type PanelOverrides = Partial<Omit<PanelDeps, 'db' | 'log'>> & {
  /** The features to build the panel with; all of them (features/index.ts) by default. */
  features?: readonly Feature[];
};

/** The panel as main.ts builds it (the shell plus every feature), on a test database. */
export function buildPanel(db: Db, overrides: PanelOverrides = {}) {
  const { features: list = FEATURES, ...given } = overrides;
  // The returned clock is the default one, which tests move; a test that gives its own keeps it.
  const defaultClock = fixedClock('2026-11-25T09:00:00Z');
  const clock = given.clock ?? defaultClock;
  const log = memoryLogger();
  const features = assembleFeatures(list, testFeatureContext(db, log, { clock, sealKey: given.sealKey, timeZone: given.timeZone, publicUrl: given.publicUrl }), SHELL_RESERVED);
  const app = createApp({
    db,
    log,
    pingQueue: async () => {},
    queueBackend: 'postgres',
    // In-process requests have no socket: the test stands where the load balancer would, and
    // names each client in X-Forwarded-For (one trusted hop, as with TRUST_PROXY=1).
    panel: { clock, publicUrl: ORIGIN, sandbox: true, lark: { domain: `${ORIGIN}/sandbox` }, trustProxy: { kind: 'hops', hops: 1 }, sealKey: TEST_SEAL_KEY, ...panelPartsOf(features), ...given },
  });
  return { app, clock: defaultClock, log, features };
}

export async function addUser(db: Db, username: string, role: PanelRole, options: { unitId?: number; password?: string; larkOpenId?: string } = {}) {
  const [user] = await db
    .insert(panelUsers)
    .values({
      username,
      displayName: `${username} 用户`,
      role,
      unitId: options.unitId ?? null,
      larkOpenId: options.larkOpenId ?? null,
      passwordHash: await hashPassword(options.password ?? 'correct-horse'),
    })
    .returning();
  return user!;
}

export async function disableUser(db: Db, id: number) {
  await db.update(panelUsers).set({ disabled: true }).where(eq(panelUsers.id, id));
}

type App = ReturnType<typeof buildPanel>['app'];

/** A browser-like client: keeps cookies, sends a same-origin Origin on POSTs. */
export function browser(app: App, ip = '10.0.0.1') {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      if (/max-age=0/i.test(line) || value === '') jar.delete(name!.trim());
      else jar.set(name!.trim(), value);
    }
    return res;
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const client = {
    jar,
    async get(path: string, headers: Record<string, string> = {}) {
      return keep(await app.request(path, { headers: { cookie: cookie(), 'x-forwarded-for': ip, ...headers } }));
    },
    async post(path: string, form: Record<string, string> | FormData, headers: Record<string, string> = {}) {
      const body = form instanceof FormData ? form : new URLSearchParams(form);
      return keep(
        await app.request(path, {
          method: 'POST',
          body,
          headers: { cookie: cookie(), origin: ORIGIN, 'x-forwarded-for': ip, ...headers },
        }),
      );
    },
    async signIn(username: string, password = 'correct-horse') {
      const res = await client.post('/login', { username, password });
      if (res.status !== 303) throw new Error(`sign-in as ${username} failed: ${res.status}`);
      return res;
    },
  };
  return client;
}
