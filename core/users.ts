/**
 * @module
 * Panel users: the first administrator, creating and changing users, resetting passwords.
 */
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { panelUsers, type PanelRole, type PanelUser } from '../db/schema/users.ts';
import { cadres, units } from '../db/schema/org.ts';
import { sessions } from '../db/schema/sessions.ts';
import type { Db } from '../db/client.ts';
import { audit, diffOf } from './audit.ts';
import { generatePassword, hashPassword } from './passwords.ts';
import { hasControlChars } from './validation.ts';
import { isUnitBound } from './roles.ts';

export const ADMIN_USERNAME = 'admin';

export interface BootstrapResult {
  created: boolean;
  /** Set only when Miaopu generated the password; shown once, never stored in clear. */
  generatedPassword?: string;
}

/**
 * Makes sure the district administrator `admin` exists. With no password given (the sandbox
 * demo), one is generated and returned once so the caller can print it.
 */
export async function ensureAdmin(db: Db, password: string | undefined): Promise<BootstrapResult> {
  const existing = await db.select({ id: panelUsers.id }).from(panelUsers).where(eq(panelUsers.username, ADMIN_USERNAME));
  if (existing.length > 0) return { created: false };
  const generatedPassword = password ? undefined : generatePassword();
  const passwordHash = await hashPassword(password ?? generatedPassword!);
  const created = await db.transaction(async (tx) => {
    const rows = await tx
      .insert(panelUsers)
      .values({ username: ADMIN_USERNAME, displayName: '系统管理员', passwordHash, role: 'district_admin' satisfies PanelRole })
      .onConflictDoNothing()
      .returning({ id: panelUsers.id });
    const row = rows[0];
    if (row) await audit(tx, { actorId: null, action: 'create', entity: 'panel_user', entityId: row.id, diff: { username: ADMIN_USERNAME, role: 'district_admin' } });
    return rows.length > 0;
  });
  // Another process may have created it between our check and insert; then its password holds.
  return created ? { created, generatedPassword } : { created: false };
}

export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,32}$/;

export interface UserInput {
  username: string;
  displayName: string;
  role: PanelRole;
  unitId: number | null;
  password?: string;
  larkOpenId?: string | null;
}

export type UserResult = { ok: true; user: PanelUser; password?: string } | { ok: false; errors: Record<string, string> };

/** Unit-bound roles need a unit; a district admin's scope is the whole district. */
function checkRoleUnit(role: PanelRole, unitId: number | null): Record<string, string> {
  return isUnitBound({ role }) && unitId == null ? { unitId: 'unit_required' } : {};
}

/**
 * Creates a panel user. With no password given, one is generated and returned once.
 * @example await createUser(db, null, { username: 'dongshan', displayName: '东山街道组织委员', role: 'unit_admin', unitId: 8 })
 */
export async function createUser(db: Db, actor: { id: number; ip?: string | null } | null, input: UserInput): Promise<UserResult> {
  const errors: Record<string, string> = { ...checkRoleUnit(input.role, input.unitId) };
  if (!USERNAME_PATTERN.test(input.username)) errors.username = 'bad_username';
  if (!input.displayName.trim()) errors.displayName = 'required';
  else if (hasControlChars(input.displayName)) errors.displayName = 'control_chars';
  if (input.password !== undefined && input.password !== '' && input.password.length < 8) errors.password = 'short_password';
  if (Object.keys(errors).length) return { ok: false, errors };
  const password = input.password || generatePassword();
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx): Promise<UserResult> => {
    const [taken] = await tx.select({ id: panelUsers.id }).from(panelUsers).where(eq(panelUsers.username, input.username));
    if (taken) return { ok: false, errors: { username: 'username_taken' } };
    if (input.larkOpenId) {
      const [linked] = await tx.select({ id: panelUsers.id }).from(panelUsers).where(eq(panelUsers.larkOpenId, input.larkOpenId));
      if (linked) return { ok: false, errors: { larkOpenId: 'open_id_taken' } };
    }
    const [user] = await tx
      .insert(panelUsers)
      .values({
        username: input.username,
        displayName: input.displayName.trim(),
        role: input.role,
        unitId: isUnitBound(input) ? input.unitId : null,
        larkOpenId: input.larkOpenId || null,
        passwordHash,
      })
      .returning();
    await audit(tx, {
      actorId: actor?.id ?? null,
      action: 'create',
      entity: 'panel_user',
      entityId: user!.id,
      diff: { username: user!.username, role: user!.role, unitId: user!.unitId },
      ip: actor?.ip ?? null,
    });
    return { ok: true, user: user!, password: input.password ? undefined : password };
  });
}

export interface UserChange {
  displayName?: string;
  role?: PanelRole;
  unitId?: number | null;
  larkOpenId?: string | null;
  disabled?: boolean;
}

/** Changes role, scope, link or status; disabling a user ends their sessions at their next request. */
export async function changeUser(db: Db, actor: { id: number; ip?: string | null }, id: number, change: UserChange): Promise<UserResult> {
  return db.transaction(async (tx): Promise<UserResult> => {
    const [before] = await tx.select().from(panelUsers).where(eq(panelUsers.id, id)).for('update');
    if (!before) return { ok: false, errors: { id: 'not_found' } };
    const next = {
      displayName: change.displayName?.trim() || before.displayName,
      role: change.role ?? before.role,
      unitId: change.unitId === undefined ? before.unitId : change.unitId,
      larkOpenId: change.larkOpenId === undefined ? before.larkOpenId : change.larkOpenId || null,
      disabled: change.disabled ?? before.disabled,
    };
    if (!isUnitBound(next)) next.unitId = null;
    const errors = checkRoleUnit(next.role, next.unitId);
    if (hasControlChars(next.displayName)) errors.displayName = 'control_chars';
    if (Object.keys(errors).length) return { ok: false, errors };
    if (next.larkOpenId && next.larkOpenId !== before.larkOpenId) {
      const [linked] = await tx.select({ id: panelUsers.id }).from(panelUsers).where(eq(panelUsers.larkOpenId, next.larkOpenId));
      if (linked) return { ok: false, errors: { larkOpenId: 'open_id_taken' } };
    }
    const diff = diffOf(before, next);
    if (Object.keys(diff).length === 0) return { ok: true, user: before };
    const [user] = await tx.update(panelUsers).set({ ...next, updatedAt: new Date() }).where(eq(panelUsers.id, id)).returning();
    await audit(tx, { actorId: actor.id, action: 'update', entity: 'panel_user', entityId: id, diff, ip: actor.ip ?? null });
    return { ok: true, user: user! };
  });
}

/** Sets a new generated password, returned once, and ends the user's open sessions. */
export async function resetPassword(db: Db, actor: { id: number | null; ip?: string | null }, id: number): Promise<string | null> {
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const rows = await tx.update(panelUsers).set({ passwordHash, updatedAt: new Date() }).where(eq(panelUsers.id, id)).returning({ id: panelUsers.id });
    if (rows.length === 0) return null;
    await tx.update(sessions).set({ endedAt: new Date() }).where(and(eq(sessions.userId, id), isNull(sessions.endedAt)));
    await audit(tx, { actorId: actor.id, action: 'update', entity: 'panel_user', entityId: id, diff: { password: ['…', 'reset'] }, ip: actor.ip ?? null });
    return password;
  });
}

export async function listUsers(db: Db): Promise<Array<PanelUser & { unitName: string | null }>> {
  const rows = await db.select({ user: panelUsers, unitName: units.name }).from(panelUsers).leftJoin(units, eq(units.id, panelUsers.unitId)).orderBy(asc(panelUsers.username));
  return rows.map((r) => ({ ...r.user, unitName: r.unitName }));
}

/**
 * Panel users for the sandbox demo, linked to demo cadres' Lark accounts so that "Sign in with
 * Lark" has someone to sign in as: the organization department's head (district admin) and
 * 东山街道's Party secretary (unit admin). Their passwords are random and never shown: they sign
 * in through Lark only. Does nothing for users that exist.
 */
export async function seedDemoPanelUsers(db: Db): Promise<number> {
  const leaders = await db
    .select({ openId: cadres.larkOpenId, name: cadres.name, unitId: cadres.unitId, unitName: units.name })
    .from(cadres)
    .innerJoin(units, eq(units.id, cadres.unitId))
    .where(and(eq(cadres.isPrincipal, true), inArray(units.name, ['区委组织部', '东山街道'])))
    .orderBy(asc(cadres.id));
  let created = 0;
  for (const unitName of ['区委组织部', '东山街道']) {
    const leader = leaders.find((l) => l.unitName === unitName && l.openId);
    if (!leader) continue;
    const isOrg = unitName === '区委组织部';
    const rows = await db
      .insert(panelUsers)
      .values({
        username: isOrg ? 'demo-org' : 'demo-dongshan',
        displayName: `${leader.name}（${unitName}）`,
        role: isOrg ? 'district_admin' : 'unit_admin',
        unitId: isOrg ? null : leader.unitId,
        larkOpenId: leader.openId,
        passwordHash: await hashPassword(generatePassword()),
      })
      .onConflictDoNothing()
      .returning({ id: panelUsers.id });
    created += rows.length;
  }
  return created;
}
