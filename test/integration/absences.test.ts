import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../db/schema/audit.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { cadreAbsences } from '../../db/schema/reminders.ts';
import { seedDemo } from '../../core/demo.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel } from '../helpers/panel.ts';

const HX = { 'HX-Request': 'true', 'HX-Request-Type': 'partial' };

describe('absences on the cadre profile', () => {
  let t: TestDatabase;
  let panel: ReturnType<typeof buildPanel>;
  let unitAdmin: ReturnType<typeof browser>;
  let dongshanCadres: number[];
  let otherCadre: number;

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    const [dongshan] = await t.db.select().from(units).where(eq(units.name, '东山街道'));
    const [other] = await t.db.select().from(units).where(eq(units.name, '西河街道'));
    dongshanCadres = (await t.db.select({ id: cadres.id }).from(cadres).where(eq(cadres.unitId, dongshan!.id)).limit(4)).map((c) => c.id);
    otherCadre = (await t.db.select({ id: cadres.id }).from(cadres).where(eq(cadres.unitId, other!.id)).limit(1))[0]!.id;
    await addUser(t.db, 'district', 'district_admin');
    await addUser(t.db, 'dongshan', 'unit_admin', { unitId: dongshan!.id });
    await addUser(t.db, 'reader', 'viewer', { unitId: dongshan!.id });
    await addUser(t.db, 'partner', 'partner');
    panel = buildPanel(t.db);
    unitAdmin = browser(panel.app, '10.9.0.1');
    await unitAdmin.signIn('dongshan');
  });
  afterAll(() => t.drop());

  const absencesOfCadre = (cadreId: number) => t.db.select().from(cadreAbsences).where(eq(cadreAbsences.cadreId, cadreId));

  it('lets a unit admin add an absence to their cadre, listed with its kind, note and who entered it, audited', async () => {
    const id = dongshanCadres[0]!;
    const page = await (await unitAdmin.get(`/cadres/${id}`)).text();
    expect(page).toContain('id="absences"');
    expect(page).toContain(`hx-post="/cadres/${id}/absences"`);

    const res = await unitAdmin.post(`/cadres/${id}/absences`, { startsOn: '2026-12-01', endsOn: '2026-12-20', kind: 'training', note: '党校中青班' }, HX);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain('<html');
    expect(html).toContain('2026-12-01');
    expect(html).toContain('2026-12-20');
    expect(html).toContain('外出培训');
    expect(html).toContain('党校中青班');
    expect(html).toContain('dongshan 用户');
    const rows = await absencesOfCadre(id);
    expect(rows).toHaveLength(1);
    const [audited] = await t.db.select().from(auditLog).where(and(eq(auditLog.entity, 'absence'), eq(auditLog.entityId, String(rows[0]!.id)), eq(auditLog.action, 'create')));
    expect(audited).toBeDefined();
    expect(await (await unitAdmin.get(`/cadres/${id}`)).text()).toContain('党校中青班');
  });

  it('refuses bad input with the form and the message, saving nothing', async () => {
    const id = dongshanCadres[1]!;
    const bad: Array<[Record<string, string>, string]> = [
      [{ startsOn: '2026-02-30', endsOn: '2026-03-02', kind: 'leave' }, '日期不存在或格式不对'],
      [{ startsOn: '2026-03-09', endsOn: '2026-03-01', kind: 'leave' }, '结束日期不能早于开始日期'],
      [{ startsOn: '2026-01-01', endsOn: '2027-06-01', kind: 'leave' }, '不能超过一年'],
      [{ startsOn: '2026-03-01', endsOn: '2026-03-02', kind: 'holiday' }, '请选择类型'],
      [{ startsOn: '2026-03-01', endsOn: '2026-03-02', kind: 'leave', note: '长'.repeat(201) }, '备注最多 200 个字'],
    ];
    for (const [form, message] of bad) {
      const res = await unitAdmin.post(`/cadres/${id}/absences`, form, HX);
      expect(res.status, JSON.stringify(form)).toBe(422);
      const html = await res.text();
      expect(html).toContain(message);
      expect(html).toContain(`value="${form.startsOn}"`);
    }
    expect(await absencesOfCadre(id)).toHaveLength(0);

    const en = browser(panel.app, '10.9.0.2');
    await en.signIn('dongshan');
    await en.get('/lang/en?next=/');
    const res = await en.post(`/cadres/${id}/absences`, { startsOn: '2026-03-09', endsOn: '2026-03-01', kind: 'leave' }, HX);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('The end cannot be before the start');
  });

  it('removes an absence within scope, audited', async () => {
    const id = dongshanCadres[2]!;
    await unitAdmin.post(`/cadres/${id}/absences`, { startsOn: '2026-05-01', endsOn: '2026-05-03', kind: 'leave' });
    const [row] = await absencesOfCadre(id);
    const res = await unitAdmin.post(`/cadres/${id}/absences/${row!.id}/delete`, {}, HX);
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain('2026-05-03');
    expect(await absencesOfCadre(id)).toHaveLength(0);
    const [audited] = await t.db.select().from(auditLog).where(and(eq(auditLog.entity, 'absence'), eq(auditLog.entityId, String(row!.id)), eq(auditLog.action, 'delete')));
    expect(audited).toBeDefined();
  });

  it('answers 404 outside the unit admin\'s scope and changes nothing', async () => {
    expect((await unitAdmin.post(`/cadres/${otherCadre}/absences`, { startsOn: '2026-05-01', endsOn: '2026-05-03', kind: 'leave' }, HX)).status).toBe(404);
    expect(await absencesOfCadre(otherCadre)).toHaveLength(0);

    const district = browser(panel.app, '10.9.0.3');
    await district.signIn('district');
    expect((await district.post(`/cadres/${otherCadre}/absences`, { startsOn: '2026-05-01', endsOn: '2026-05-03', kind: 'secondment', note: '对口支援' }, HX)).status).toBe(200);
    const [theirs] = await absencesOfCadre(otherCadre);
    expect((await unitAdmin.post(`/cadres/${otherCadre}/absences/${theirs!.id}/delete`, {}, HX)).status).toBe(404);
    // Nor through one of their own cadres' URLs.
    expect((await unitAdmin.post(`/cadres/${dongshanCadres[0]}/absences/${theirs!.id}/delete`, {}, HX)).status).toBe(404);
    expect(await absencesOfCadre(otherCadre)).toHaveLength(1);
  });

  it('shows viewers the list read-only, and partners no profile at all', async () => {
    const id = dongshanCadres[3]!;
    await unitAdmin.post(`/cadres/${id}/absences`, { startsOn: '2026-07-01', endsOn: '2026-07-31', kind: 'secondment', note: '援疆' });
    const [row] = await absencesOfCadre(id);

    const viewer = browser(panel.app, '10.9.0.4');
    await viewer.signIn('reader');
    const page = await (await viewer.get(`/cadres/${id}`)).text();
    expect(page).toContain('异地挂职');
    expect(page).toContain('援疆');
    expect(page).not.toContain(`/cadres/${id}/absences`);
    expect((await viewer.post(`/cadres/${id}/absences`, { startsOn: '2026-08-01', endsOn: '2026-08-02', kind: 'leave' }, HX)).status).toBe(403);
    expect((await viewer.post(`/cadres/${id}/absences/${row!.id}/delete`, {}, HX)).status).toBe(403);
    expect(await absencesOfCadre(id)).toHaveLength(1);

    const partner = browser(panel.app, '10.9.0.5');
    await partner.signIn('partner');
    expect((await partner.get(`/cadres/${id}`)).status).toBe(403);
    expect((await partner.post(`/cadres/${id}/absences`, { startsOn: '2026-08-01', endsOn: '2026-08-02', kind: 'leave' }, HX)).status).toBe(403);
  });
});
