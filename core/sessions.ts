/**
 * @module
 * Panel sessions and sign-in throttling. A session is a random token in a cookie; only its
 * sha256 is stored, so the sessions table cannot be replayed. Sessions end on sign-out,
 * after an idle period, or when the user is disabled.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { loginFailures, sessions } from '../db/schema/sessions.ts';
import { panelUsers, type PanelUser } from '../db/schema/users.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from './clock.ts';

/** A session unused for this long is over. */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
/** Refresh last-seen at most this often, so a busy page does not write on every request. */
const TOUCH_EVERY_MS = 60 * 1000;

export const THROTTLE_WINDOW_MS = 10 * 60 * 1000;
export const THROTTLE_MAX_FAILURES = 5;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Starts a session and returns the token for the cookie. */
export async function startSession(db: Db, userId: number, ip: string | null, clock: Clock): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = clock.now();
  await db.insert(sessions).values({ id: hashToken(token), userId, ip, createdAt: now, lastSeenAt: now });
  return token;
}

/** The signed-in user for a token, or null when the session is unknown, ended, idle or the user disabled. */
export async function sessionUser(db: Db, token: string, clock: Clock): Promise<PanelUser | null> {
  const now = clock.now();
  const id = hashToken(token);
  const [row] = await db
    .select({ user: panelUsers, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .innerJoin(panelUsers, eq(panelUsers.id, sessions.userId))
    .where(and(eq(sessions.id, id), isNull(sessions.endedAt), gt(sessions.lastSeenAt, new Date(now.getTime() - SESSION_IDLE_MS))));
  if (!row || row.user.disabled) return null;
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id));
  }
  return row.user;
}

export async function endSession(db: Db, token: string, clock: Clock): Promise<void> {
  await db.update(sessions).set({ endedAt: clock.now() }).where(and(eq(sessions.id, hashToken(token)), isNull(sessions.endedAt)));
}

const throttleKeys = (username: string, ip: string | null) =>
  [`user:${username.trim().toLowerCase().slice(0, 200)}`, ...(ip ? [`ip:${ip}`] : [])].sort();

/** The first key of pg_advisory_xact_lock(int, int) for sign-in throttling; the second is the key's hash. */
const THROTTLE_LOCK_CLASS = 0x4d50_4c46; // "MPLF"

/**
 * True while one of `times` (a key's failures, oldest first) locks it: 5 failures within 10
 * minutes, the fifth of them less than 10 minutes old.
 */
function locks(times: number[], now: number): boolean {
  for (let i = THROTTLE_MAX_FAILURES - 1; i < times.length; i++) {
    if (times[i]! - times[i - THROTTLE_MAX_FAILURES + 1]! <= THROTTLE_WINDOW_MS && now - times[i]! < THROTTLE_WINDOW_MS) return true;
  }
  return false;
}

export type LoginAttempt =
  | { throttled: true }
  /** Counted as a failure until `succeeded()` takes it back. */
  | { throttled: false; succeeded(): Promise<void> };

/**
 * Counts a sign-in attempt for the username and for the address before its password may be
 * checked: in one transaction, under an advisory lock per key, it refuses if either is locked
 * (5 failures within 10 minutes, for 10 minutes after the fifth), and otherwise records the
 * attempt as a failure. Concurrent attempts queue on the lock, so 30 at once get at most 5
 * password checks. A username lock holds from every address; an address lock holds for every
 * username. Call `succeeded()` after a correct password, which removes this attempt's rows.
 * @example const attempt = await beginLoginAttempt(db, 'zhang', '10.0.0.2', clock)
 */
export async function beginLoginAttempt(db: Db, username: string, ip: string | null, clock: Clock): Promise<LoginAttempt> {
  const keys = throttleKeys(username, ip);
  const now = clock.now();
  const ids = await db.transaction(async (tx) => {
    // Sorted keys, so two attempts sharing keys take the locks in the same order.
    for (const key of keys) await tx.execute(sql`select pg_advisory_xact_lock(${THROTTLE_LOCK_CLASS}::int, hashtext(${key}))`);
    const rows = await tx
      .select({ key: loginFailures.key, at: loginFailures.at })
      .from(loginFailures)
      .where(and(inArray(loginFailures.key, keys), gt(loginFailures.at, new Date(now.getTime() - 2 * THROTTLE_WINDOW_MS))))
      .orderBy(loginFailures.at);
    const byKey = new Map<string, number[]>();
    for (const r of rows) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r.at.getTime()]);
    if ([...byKey.values()].some((times) => locks(times, now.getTime()))) return null;
    const inserted = await tx.insert(loginFailures).values(keys.map((key) => ({ key, at: now }))).returning({ id: loginFailures.id });
    return inserted.map((r) => r.id);
  });
  if (!ids) return { throttled: true };
  return {
    throttled: false,
    async succeeded() {
      await db.delete(loginFailures).where(inArray(loginFailures.id, ids));
    },
  };
}
