import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../db/schema/audit.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { seedDemo } from '../../core/demo.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel } from '../helpers/panel.ts';

describe('units page', () => {
  let t: TestDatabase;
  let panel: ReturnType<typeof buildPanel>;
  let admin: ReturnType<typeof browser>;
  let ids: Record<string, number>;
  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    ids = Object.fromEntries((await t.db.select().from(units)).map((u) => [u.name, u.id]));
    await addUser(t.db, 'district', 'district_admin');
    await addUser(t.db, 'dongshan', 'unit_admin', { unitId: ids['东山街道'] });
    panel = buildPanel(t.db);
    admin = browser(panel.app, '10.6.0.1');
    await admin.signIn('district');
  });
  afterAll(() => t.drop());

  it('shows the tree with each unit\'s own and total cadre counts', async () => {
    const html = await (await admin.get('/units')).text();
    const inDongshan = await t.db.$count(cadres, eq(cadres.unitId, ids['东山街道']!));
    expect(html).toContain(`本级人数 ${inDongshan} · 合计人数 ${inDongshan}`);
    expect(html).toContain('本级人数 8 · 合计人数 300');
  });

  it('creates a sub-unit, renames it and moves it, auditing each change', async () => {
    const created = await admin.post('/units', { name: '东山社区', kind: 'office', parentId: String(ids['东山街道']) }, { 'HX-Request': 'true' });
    expect(created.status).toBe(200);
    const [community] = await t.db.select().from(units).where(eq(units.name, '东山社区'));
    expect(community!.parentId).toBe(ids['东山街道']);
    const dup = await admin.post('/units', { name: '东山社区', kind: 'office', parentId: String(ids['东山街道']) });
    expect(dup.status).toBe(422);
    expect(await dup.text()).toContain('同一上级下已有同名单位');

    await admin.post(`/units/${community!.id}`, { name: '东山第一社区', parentId: String(ids['西河街道']) });
    const [after] = await t.db.select().from(units).where(eq(units.id, community!.id));
    expect(after).toMatchObject({ name: '东山第一社区', parentId: ids['西河街道'] });
    const changes = await t.db.select().from(auditLog).where(and(eq(auditLog.entity, 'unit'), eq(auditLog.entityId, String(community!.id))));
    expect(changes.map((c) => c.action)).toEqual(['create', 'update']);
    expect(changes[1]!.diff).toMatchObject({ name: ['东山社区', '东山第一社区'] });
  });

  it('refuses to move a unit under its own sub-unit', async () => {
    const [child] = await t.db.insert(units).values({ name: '北岭一组', kind: 'office', parentId: ids['北岭街道'] }).returning();
    const res = await admin.post(`/units/${ids['北岭街道']}`, { name: '北岭街道', parentId: String(child!.id) });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('不能移动到自己的下级单位');
  });

  it('keeps unit names unique among siblings, for a unit admin, in their language, and in the database', async () => {
    const unitAdmin = browser(panel.app, '10.6.0.3');
    await unitAdmin.signIn('dongshan');
    const made = await unitAdmin.post('/units', { name: '综合办', kind: 'office', parentId: String(ids['东山街道']) }, { 'HX-Request': 'true' });
    expect(made.status).toBe(200);
    const again = await unitAdmin.post('/units', { name: ' 综合办 ', kind: 'office', parentId: String(ids['东山街道']) }, { 'HX-Request': 'true' });
    expect(again.status).toBe(422);
    expect(await again.text()).toContain('同一上级下已有同名单位');
    unitAdmin.jar.set('lang', 'en');
    const english = await unitAdmin.post('/units', { name: '综合办', kind: 'office', parentId: String(ids['东山街道']) }, { 'HX-Request': 'true' });
    expect(await english.text()).toContain('A unit of that name exists under this parent');
    // The name of a unit elsewhere is fine (the roster tells them apart by path) …
    const elsewhere = await unitAdmin.post('/units', { name: '区财政局', kind: 'office', parentId: String(ids['东山街道']) }, { 'HX-Request': 'true' });
    expect(elsewhere.status).toBe(200);
    // … but renaming onto a sibling's name is not.
    const [office] = await t.db.select().from(units).where(and(eq(units.name, '区财政局'), eq(units.parentId, ids['东山街道']!)));
    const rename = await unitAdmin.post(`/units/${office!.id}`, { name: '综合办', parentId: String(ids['东山街道']) }, { 'HX-Request': 'true' });
    expect(rename.status).toBe(422);

    // Saves racing each other: one wins, the others are told why, none is a 500.
    const racing = await Promise.all(Array.from({ length: 4 }, () => admin.post('/units', { name: '同时新建', kind: 'office', parentId: String(ids['南湖街道']) }, { 'HX-Request': 'true' })));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 422, 422, 422]);

    // The database refuses a duplicate sibling itself, top-level units (no parent) included.
    await expect(t.db.insert(units).values({ name: '综合办', kind: 'office', parentId: ids['东山街道'] })).rejects.toMatchObject({ cause: { code: '23505' } });
    await expect(t.db.insert(units).values({ name: '青禾区', kind: 'district', parentId: null })).rejects.toMatchObject({ cause: { code: '23505' } });
  });

  it('shows a unit admin only their subtree, and lets them rename but not escape it', async () => {
    const unitAdmin = browser(panel.app, '10.6.0.2');
    await unitAdmin.signIn('dongshan');
    const html = await (await unitAdmin.get('/units')).text();
    expect(html).toContain('东山街道');
    expect(html).not.toContain('西河街道');
    const escape = await unitAdmin.post(`/units/${ids['东山街道']}`, { name: '东山街道', parentId: String(ids['区财政局']) });
    expect(escape.status).toBe(422);
    const other = await unitAdmin.post(`/units/${ids['西河街道']}`, { name: '被改名', parentId: '' });
    expect(other.status).toBe(422);
    expect((await t.db.select().from(units).where(eq(units.id, ids['西河街道']!)))[0]!.name).toBe('西河街道');
    const renamed = await unitAdmin.post(`/units/${ids['东山街道']}`, { name: '东山街道办', parentId: String(ids['青禾区']) });
    expect(renamed.status).toBe(200);
  });
});
