import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { auditLog } from '../../db/schema/audit.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { seedDemo } from '../../core/demo.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel } from '../helpers/panel.ts';

async function readXlsx(res: Response): Promise<string[][]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(await res.arrayBuffer());
  const rows: string[][] = [];
  book.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
  return rows;
}

describe('cadre list, profile and scope', () => {
  let t: TestDatabase;
  let panel: ReturnType<typeof buildPanel>;
  let dongshan: number;
  let xihe: number;
  let admin: ReturnType<typeof browser>;
  let unitAdmin: ReturnType<typeof browser>;
  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    dongshan = (await t.db.select().from(units).where(eq(units.name, '东山街道')))[0]!.id;
    xihe = (await t.db.select().from(units).where(eq(units.name, '西河街道')))[0]!.id;
    // A sub-unit of 东山街道, so scope must include sub-units.
    const [community] = await t.db.insert(units).values({ name: '东山社区', kind: 'office', parentId: dongshan }).returning();
    const [someone] = await t.db.select().from(cadres).where(eq(cadres.unitId, xihe)).limit(1);
    await t.db.update(cadres).set({ unitId: community!.id }).where(eq(cadres.id, someone!.id));
    await addUser(t.db, 'district', 'district_admin');
    await addUser(t.db, 'dongshan', 'unit_admin', { unitId: dongshan });
    await addUser(t.db, 'reader', 'viewer', { unitId: dongshan });
    await addUser(t.db, 'partner', 'partner');
    panel = buildPanel(t.db);
    admin = browser(panel.app, '10.8.0.1');
    await admin.signIn('district');
    unitAdmin = browser(panel.app, '10.8.0.2');
    await unitAdmin.signIn('dongshan');
  });
  afterAll(() => t.drop());

  const rowsIn = (html: string) => [...html.matchAll(/class="cadre-link">([^<]+)</g)].map((m) => m[1]);
  const totalIn = (html: string) => Number(html.match(/共 (\d+) 条/)?.[1]);

  it('lists every cadre for a district admin, 20 to a page', async () => {
    const html = await (await admin.get('/cadres')).text();
    expect(totalIn(html)).toBe(300);
    expect(rowsIn(html)).toHaveLength(20);
    const page2 = await (await admin.get('/cadres?page=2')).text();
    expect(rowsIn(page2)).toHaveLength(20);
    expect(rowsIn(page2)[0]).not.toBe(rowsIn(html)[0]);
  });

  it('searches by name and answers htmx with just the results', async () => {
    const [someone] = await t.db.select().from(cadres).limit(1);
    const res = await admin.get(`/cadres?q=${encodeURIComponent(someone!.name)}`, { 'HX-Request': 'true', 'HX-Request-Type': 'partial' });
    const html = await res.text();
    expect(html).not.toContain('<html');
    expect(rowsIn(html)).toContain(someone!.name);
    expect(rowsIn(html).every((n) => n!.includes(someone!.name))).toBe(true);
  });

  it('filters by unit (with sub-units), team and age band, and sorts', async () => {
    const html = await (await admin.get(`/cadres?unit=${dongshan}&team=principal`)).text();
    const principals = await t.db.select().from(cadres).innerJoin(units, eq(units.id, cadres.unitId))
      .where(and(inArray(cadres.unitId, [dongshan, ...(await t.db.select({ id: units.id }).from(units).where(eq(units.parentId, dongshan))).map((u) => u.id)]), eq(cadres.isPrincipal, true)));
    expect(totalIn(html)).toBe(principals.length);
    const young = await (await admin.get('/cadres?age=under35&sort=age&dir=desc')).text();
    expect(totalIn(young)).toBeGreaterThan(0);
    expect(totalIn(young)).toBeLessThan(300);
    const ages = [...young.matchAll(/<td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(ages.every((a) => a < 35)).toBe(true);
    expect([...ages].sort((a, b) => a - b)).toEqual(ages);
  });

  it('shows a unit admin only their unit and its sub-units, in lists and exports', async () => {
    const html = await (await unitAdmin.get('/cadres')).text();
    const own = await t.db.select({ id: cadres.id }).from(cadres).where(eq(cadres.unitId, dongshan));
    expect(totalIn(html)).toBe(own.length + 1);
    const filteredToOther = await (await unitAdmin.get(`/cadres?unit=${xihe}`)).text();
    expect(totalIn(filteredToOther)).toBe(0);
    const exported = await readXlsx(await unitAdmin.get('/cadres/export.xlsx'));
    expect(exported).toHaveLength(own.length + 2);
    expect(new Set(exported.slice(1).map((r) => r[4]))).toEqual(new Set(['东山街道', '东山社区']));
  });

  it('answers 404 when a unit admin opens another unit\'s cadre by URL, and writes no view row', async () => {
    const [other] = await t.db.select().from(cadres).where(eq(cadres.unitId, xihe)).limit(1);
    const res = await unitAdmin.get(`/cadres/${other!.id}`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain(other!.name);
    expect((await unitAdmin.get(`/cadres/${other!.id}/edit`)).status).toBe(404);
    const post = await unitAdmin.post(`/cadres/${other!.id}`, { name: '改名' });
    expect(post.status).toBe(404);
    const [after] = await t.db.select().from(cadres).where(eq(cadres.id, other!.id));
    expect(after!.name).toBe(other!.name);
    const views = await t.db.select().from(auditLog).where(and(eq(auditLog.action, 'view'), eq(auditLog.entityId, String(other!.id))));
    expect(views).toHaveLength(0);
  });

  it('exports exactly the filtered list and audits the export', async () => {
    const listed = await (await admin.get('/cadres?team=leader&sort=name')).text();
    const exported = await readXlsx(await admin.get('/cadres/export.xlsx?team=leader&sort=name'));
    expect(exported[0]).toContain('姓名');
    expect(exported.length - 1).toBe(totalIn(listed));
    expect(exported.slice(1, 21).map((r) => r[0])).toEqual(rowsIn(listed));
    const rows = await t.db.select().from(auditLog).where(eq(auditLog.action, 'export'));
    expect(rows.at(-1)!.diff).toMatchObject({ filters: { team: 'leader', sort: 'name' }, rows: totalIn(listed) });
  });

  it('records every profile view', async () => {
    const [someone] = await t.db.select().from(cadres).where(eq(cadres.unitId, dongshan)).limit(1);
    const res = await unitAdmin.get(`/cadres/${someone!.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(someone!.name);
    expect(html).toContain('成长轨迹');
    const views = await t.db.select().from(auditLog).where(and(eq(auditLog.action, 'view'), eq(auditLog.entity, 'cadre'), eq(auditLog.entityId, String(someone!.id))));
    expect(views).toHaveLength(1);
    expect(views[0]!.ip).toBe('10.8.0.2');
  });

  it('saves a valid edit with a before/after diff, and rejects a bad one with Chinese messages', async () => {
    const [someone] = await t.db.select().from(cadres).where(eq(cadres.unitId, dongshan)).limit(1);
    const form = {
      name: someone!.name,
      gender: someone!.gender,
      birthDate: someone!.birthDate,
      unitId: String(someone!.unitId),
      position: '新职务',
      rank: someone!.rank,
      education: '',
      field: '',
      tags: '优秀年轻干部，导师',
      employeeNo: someone!.employeeNo ?? '',
      mobile: someone!.mobile ?? '',
      status: 'active',
      isPartyMember: '1',
    };
    const bad = await unitAdmin.post(`/cadres/${someone!.id}`, { ...form, name: '', birthDate: '1990-02-30', mobile: '123' }, { 'HX-Request': 'true' });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain('必填');
    expect(badHtml).toContain('日期格式应为');
    expect(badHtml).toContain('手机号应为 11 位数字');
    expect((await t.db.select().from(cadres).where(eq(cadres.id, someone!.id)))[0]!.position).toBe(someone!.position);

    const outOfScope = await unitAdmin.post(`/cadres/${someone!.id}`, { ...form, unitId: String(xihe) });
    expect(outOfScope.status).toBe(422);
    expect(await outOfScope.text()).toContain('超出您的管理范围');

    const ok = await unitAdmin.post(`/cadres/${someone!.id}`, form);
    expect(ok.status).toBe(303);
    const [after] = await t.db.select().from(cadres).where(eq(cadres.id, someone!.id));
    expect(after!.position).toBe('新职务');
    expect(after!.tags).toEqual(['优秀年轻干部', '导师']);
    const [change] = await t.db.select().from(auditLog).where(and(eq(auditLog.action, 'update'), eq(auditLog.entityId, String(someone!.id))));
    expect(change!.diff).toMatchObject({ position: [someone!.position, '新职务'] });
    const profile = await (await unitAdmin.get(`/cadres/${someone!.id}`)).text();
    expect(profile).toContain('档案修改');
  });

  it('keeps viewers read-only and partners away from profiles', async () => {
    const reader = browser(panel.app, '10.8.0.3');
    await reader.signIn('reader');
    const [someone] = await t.db.select().from(cadres).where(eq(cadres.unitId, dongshan)).limit(1);
    expect((await reader.get(`/cadres/${someone!.id}`)).status).toBe(200);
    expect((await reader.get(`/cadres/${someone!.id}/edit`)).status).toBe(403);
    expect((await reader.post(`/cadres/${someone!.id}`, { name: 'x' })).status).toBe(403);
    const partner = browser(panel.app, '10.8.0.4');
    await partner.signIn('partner');
    expect((await partner.get('/cadres')).status).toBe(403);
    expect((await partner.get(`/cadres/${someone!.id}`)).status).toBe(403);
  });

  it('escapes script in names and notes everywhere it is shown', async () => {
    const payload = '<script>alert(1)</script>';
    const [someone] = await t.db.select().from(cadres).where(eq(cadres.unitId, dongshan)).limit(1);
    await t.db.update(cadres).set({ name: `李${payload}`, field: `"><img src=x onerror=alert(1)>`, tags: [payload] }).where(eq(cadres.id, someone!.id));
    const list = await (await admin.get(`/cadres?q=${encodeURIComponent('script')}`)).text();
    const profile = await (await admin.get(`/cadres/${someone!.id}`)).text();
    for (const html of [list, profile]) {
      expect(html).not.toContain(payload);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toContain('<img src=x');
    }
  });
});
