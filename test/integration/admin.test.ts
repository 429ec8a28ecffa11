import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { auditLog } from '../../db/schema/audit.ts';
import { units } from '../../db/schema/org.ts';
import { panelUsers } from '../../db/schema/users.ts';
import { seedDemo } from '../../core/demo.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel } from '../helpers/panel.ts';

describe('audit log and user management pages', () => {
  let t: TestDatabase;
  let panel: ReturnType<typeof buildPanel>;
  let admin: ReturnType<typeof browser>;
  let dongshan: number;
  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    dongshan = (await t.db.select().from(units).where(eq(units.name, '东山街道')))[0]!.id;
    await addUser(t.db, 'district', 'district_admin');
    await addUser(t.db, 'dongshan', 'unit_admin', { unitId: dongshan });
    panel = buildPanel(t.db);
    admin = browser(panel.app, '10.7.0.1');
    await admin.signIn('district');
  });
  afterAll(() => t.drop());

  it('lists audit rows newest first and filters them by action and entity', async () => {
    await admin.get('/cadres/5');
    await admin.get('/cadres/6');
    const page = await (await admin.get('/audit?action=view&entity=cadre')).text();
    const html = page.slice(page.indexOf('<tbody>'));
    expect(html).toContain('查看');
    expect(html).toContain('href="/cadres/6"');
    expect(html.indexOf('href="/cadres/6"')).toBeLessThan(html.indexOf('href="/cadres/5"'));
    expect(html).not.toContain('>登录<');
    const logins = await (await admin.get('/audit?action=login', { 'HX-Request': 'true', 'HX-Request-Type': 'partial' })).text();
    expect(logins).toContain('登录');
    expect(logins).not.toContain('href="/cadres/');
  });

  it('filters audit rows by actor and by date range', async () => {
    const [me] = await t.db.select().from(panelUsers).where(eq(panelUsers.username, 'district'));
    const mine = await (await admin.get(`/audit?actor=${me!.id}`)).text();
    expect(mine).toContain('district 用户');
    // Day bounds are in the department's time zone.
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const none = await (await admin.get('/audit?from=2001-01-01&to=2001-01-02')).text();
    expect(none).toContain('没有符合条件的记录');
    const todays = await (await admin.get(`/audit?from=${today}&to=${today}`)).text();
    expect(todays).not.toContain('没有符合条件的记录');
    // A day that does not exist is refused with a message, not read as 2 March.
    const bad = await admin.get('/audit?from=2026-02-30');
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('日期格式应为 2024-01-31');
    expect(html).not.toContain('id="audit-table"');
    expect((await admin.get(`/audit?to=${today}&entity=${encodeURIComponent('cadre\u0000')}`)).status).toBe(200);
  });

  it('offers no way to change audit rows, and the database refuses it anyway', async () => {
    expect((await admin.post('/audit', { id: '1' })).status).toBe(404);
    await expect(t.db.execute(sql`update audit_log set action = 'x'`)).rejects.toThrow();
    await expect(t.db.execute(sql`delete from audit_log`)).rejects.toThrow();
  });

  it('keeps the audit log and user management to district admins', async () => {
    const unitAdmin = browser(panel.app, '10.7.0.2');
    await unitAdmin.signIn('dongshan');
    expect((await unitAdmin.get('/audit')).status).toBe(403);
    expect((await unitAdmin.get('/users')).status).toBe(403);
    expect((await unitAdmin.post('/users', { username: 'sneaky', displayName: 'x', role: 'district_admin' })).status).toBe(403);
    expect(await t.db.select().from(panelUsers).where(eq(panelUsers.username, 'sneaky'))).toHaveLength(0);
  });

  it('creates a unit admin who then signs in with the shown password and sees only their unit', async () => {
    const bad = await admin.post('/users', { username: 'x', displayName: '', role: 'unit_admin', unitId: '' }, { 'HX-Request': 'true' });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain('用户名应为');
    expect(badHtml).toContain('该角色需要指定单位');

    const res = await admin.post('/users', { username: 'xihe', displayName: '西河组织委员', role: 'unit_admin', unitId: String(dongshan), password: '' });
    expect(res.status).toBe(200);
    const password = (await res.text()).match(/初始密码：([A-Za-z0-9]+)/)?.[1];
    expect(password).toHaveLength(16);
    const created = browser(panel.app, '10.7.0.3');
    await created.signIn('xihe', password);
    const html = await (await created.get('/')).text();
    expect(html).toContain('单位管理员');
    const [row] = await t.db.select().from(auditLog).where(eq(auditLog.entity, 'panel_user')).orderBy(sql`id desc`).limit(1);
    expect(row!.diff).toMatchObject({ username: 'xihe', role: 'unit_admin' });
    expect(JSON.stringify(row!.diff)).not.toContain(password!);
  });

  it('disables a user (their session ends) and resets a password (the old one stops working)', async () => {
    await addUser(t.db, 'wang', 'viewer', { unitId: dongshan });
    const [wang] = await t.db.select().from(panelUsers).where(eq(panelUsers.username, 'wang'));
    const session = browser(panel.app, '10.7.0.4');
    await session.signIn('wang');
    const reset = await admin.post(`/users/${wang!.id}/password`, {});
    const newPassword = (await reset.text()).match(/新密码：([A-Za-z0-9]+)/)?.[1];
    expect(newPassword).toBeDefined();
    expect((await session.get('/')).status).toBe(302);
    expect((await browser(panel.app, '10.7.0.5').post('/login', { username: 'wang', password: 'correct-horse' })).status).toBe(401);
    await session.signIn('wang', newPassword);

    await admin.post(`/users/${wang!.id}/status`, { disabled: '1' });
    expect((await session.get('/')).status).toBe(302);
    const list = await (await admin.get('/users')).text();
    expect(list).toContain('已停用');
  });

  it('changes a role and its scope', async () => {
    const [wang] = await t.db.select().from(panelUsers).where(eq(panelUsers.username, 'wang'));
    const res = await admin.post(`/users/${wang!.id}`, { role: 'district_admin', unitId: String(dongshan), larkOpenId: 'ou_test' });
    expect(res.status).toBe(200);
    const [after] = await t.db.select().from(panelUsers).where(eq(panelUsers.id, wang!.id));
    expect(after).toMatchObject({ role: 'district_admin', unitId: null, larkOpenId: 'ou_test' });
  });
});
