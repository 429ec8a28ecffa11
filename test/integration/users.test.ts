import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog } from '../../db/schema/audit.ts';
import { panelUsers } from '../../db/schema/users.ts';
import { verifyPassword } from '../../core/passwords.ts';
import { ensureAdmin } from '../../core/users.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';

describe('first administrator', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await testDatabase();
  });
  afterAll(() => t.drop());

  it('is created once with a generated password that works, and audited', async () => {
    const first = await ensureAdmin(t.db, undefined);
    expect(first.created).toBe(true);
    const [admin] = await t.db.select().from(panelUsers).where(eq(panelUsers.username, 'admin'));
    expect(admin!.role).toBe('district_admin');
    expect(await verifyPassword(first.generatedPassword!, admin!.passwordHash)).toBe(true);

    const again = await ensureAdmin(t.db, 'another-password');
    expect(again).toEqual({ created: false });
    const [still] = await t.db.select().from(panelUsers).where(eq(panelUsers.username, 'admin'));
    expect(await verifyPassword(first.generatedPassword!, still!.passwordHash)).toBe(true);

    const rows = await t.db.select().from(auditLog).where(eq(auditLog.entity, 'panel_user'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'create', actorId: null, entityId: String(admin!.id) });
  });

  it('keeps the audit log append-only, whatever SQL is sent', async () => {
    await expect(t.sql`update audit_log set action = ${"forged"}`).rejects.toThrow(/append-only/);
    await expect(t.sql`delete from audit_log`).rejects.toThrow(/append-only/);
    await expect(t.sql`truncate audit_log`).rejects.toThrow(/append-only/);
    const rows = await t.db.select().from(auditLog);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.action !== 'forged')).toBe(true);
  });
});
