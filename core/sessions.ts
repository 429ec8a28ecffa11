/**
 * @module
 * Panel sessions and sign-in throttling. A session is a random token in a cookie; only its
 * sha256 is stored, so the sessions table cannot be replayed. Sessions end on sign-out,
 * after an idle period, or when the user is disabled.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, inArray, isNull } from 'drizzle-orm';
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
  [`user:${username.trim().toLowerCase()}`, ...(ip ? [`ip:${ip}`] : [])];

/**
 * True while a username or an address is locked: it failed 5 times within 10 minutes, and the
 * fifth of those failures is less than 10 minutes old.
 */
export async function isThrottled(db: Db, username: string, ip: string | null, clock: Clock): Promise<boolean> {
  const now = clock.now().getTime();
  const rows = await db
    .select({ key: loginFailures.key, at: loginFailures.at })
    .from(loginFailures)
    .where(and(inArray(loginFailures.key, throttleKeys(username, ip)), gt(loginFailures.at, new Date(now - 2 * THROTTLE_WINDOW_MS))))
    .orderBy(loginFailures.at);
  const byKey = new Map<string, number[]>();
  for (const r of rows) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r.at.getTime()]);
  for (const times of byKey.values()) {
    for (let i = THROTTLE_MAX_FAILURES - 1; i < times.length; i++) {
      const locked = times[i]! - times[i - THROTTLE_MAX_FAILURES + 1]! <= THROTTLE_WINDOW_MS && now - times[i]! < THROTTLE_WINDOW_MS;
      if (locked) return true;
    }
  }
  return false;
}

export async function recordLoginFailure(db: Db, username: string, ip: string | null, clock: Clock): Promise<void> {
  const at = clock.now();
  await db.insert(loginFailures).values(throttleKeys(username, ip).map((key) => ({ key, at })));
}
