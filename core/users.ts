/**
 * @module
 * Panel users: creating them and the first administrator.
 */
import { eq } from 'drizzle-orm';
import { panelUsers, type PanelRole } from '../db/schema/users.ts';
import type { Db } from '../db/client.ts';
import { audit } from './audit.ts';
import { generatePassword, hashPassword } from './passwords.ts';

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
