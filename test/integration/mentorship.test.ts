/**
 * The /mentorship pages through app.request: the pairs list with its health, filters in the
 * URL, the fewest-meetings sort and an export of exactly what is filtered; the form with its
 * errors in both languages; a pair's page; and the scope of a unit admin of 东山街道.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { and, eq } from 'drizzle-orm';
import { seedDemo } from '../../core/demo.ts';
import { ensureBuiltinCalendar } from '../../core/reminders/store.ts';
import { auditLog } from '../../db/schema/audit.ts';
import { mentorshipCheckins, mentorshipGoals, mentorshipMembers, mentorshipPairs } from '../../db/schema/mentorship.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel } from '../helpers/panel.ts';

describe('the mentorship pages', () => {
  let t: TestDatabase;
  let admin: ReturnType<typeof browser>;
  let unitAdmin: ReturnType<typeof browser>;
  let viewer: ReturnType<typeof browser>;
  let ds: Array<{ id: number; name: string }>;
  let xh: Array<{ id: number; name: string }>;
  let quiet: number;
  let busy: number;
  let other: number;

  /** A pair written straight to the tables, so each test's rows are its own. */
  async function pair(mentor: number, mentee: number, startsOn: string, confirmed: string[] = []) {
    const [p] = await t.db.insert(mentorshipPairs).values({ shape: 'one_to_one', startsOn, cadence: 'monthly' }).returning();
    await t.db.insert(mentorshipMembers).values([
      { pairId: p!.id, cadreId: mentor, role: 'mentor' },
      { pairId: p!.id, cadreId: mentee, role: 'mentee' },
    ]);
    await t.db.insert(mentorshipGoals).values({ pairId: p!.id, title: '独立承办一次群众接待', status: 'in_progress' });
    for (const metOn of confirmed) await t.db.insert(mentorshipCheckins).values({ pairId: p!.id, mentorId: mentor, metOn, form: 'face_to_face', topics: `谈心<b>${metOn}</b>`, status: 'confirmed', menteeNote: '学会了接待流程' });
    return p!.id;
  }

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltinCalendar(t.db);
    const unitId = async (name: string) => (await t.db.select().from(units).where(eq(units.name, name)))[0]!.id;
    const dongshan = await unitId('东山街道');
    const of = (u: number) => t.db.select({ id: cadres.id, name: cadres.name }).from(cadres).where(eq(cadres.unitId, u)).orderBy(cadres.id);
    ds = await of(dongshan);
    xh = await of(await unitId('西河街道'));
    await addUser(t.db, 'district', 'district_admin');
    await addUser(t.db, 'dongshan', 'unit_admin', { unitId: dongshan });
    await addUser(t.db, 'reader', 'viewer', { unitId: dongshan });
    // The panel's clock stands at 2026-11-25: a monthly pair last met in September is overdue.
    quiet = await pair(ds[0]!.id, ds[1]!.id, '2026-01-05', ['2026-09-10']);
    busy = await pair(ds[2]!.id, ds[3]!.id, '2026-01-05', ['2026-09-15', '2026-10-15', '2026-11-16']);
    other = await pair(xh[0]!.id, xh[1]!.id, '2026-01-05', ['2026-11-10']);
    const { app } = buildPanel(t.db);
    admin = browser(app, '10.7.0.1');
    unitAdmin = browser(app, '10.7.0.2');
    viewer = browser(app, '10.7.0.3');
    await admin.signIn('district');
    await unitAdmin.signIn('dongshan');
    await viewer.signIn('reader');
  });
  afterAll(() => t.drop());

  it('lists pairs with their last confirmed meeting, next due day and health, and puts the menu entry in front of a viewer', async () => {
    const res = await viewer.get('/mentorship');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('href="/mentorship"');
    const row = (id: number) => html.split(`data-pair="${id}"`)[1]!.split('</tr>')[0]!;
    expect(row(quiet)).toContain('2026-09-10');
    expect(row(quiet)).toContain('data-health="overdue"');
    expect(row(busy)).toContain('2026-12-16');
    expect(row(busy)).toContain('data-health="on_track"');
    expect(html).not.toContain('/mentorship/new');
  });

  it('filters by health in the URL, sorts by fewest meetings, and exports exactly the filtered pairs', async () => {
    const overdue = await (await admin.get('/mentorship?health=overdue')).text();
    expect(overdue).toContain(`data-pair="${quiet}"`);
    expect(overdue).not.toContain(`data-pair="${busy}"`);
    const sorted = await (await admin.get('/mentorship?sort=fewest_meetings')).text();
    expect(sorted.indexOf(`data-pair="${quiet}"`)).toBeLessThan(sorted.indexOf(`data-pair="${busy}"`));
    expect(sorted.indexOf(`data-pair="${other}"`)).toBeLessThan(sorted.indexOf(`data-pair="${busy}"`));
    const file = await admin.get('/mentorship/export.xlsx?health=overdue');
    expect(file.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await file.arrayBuffer());
    const names = book.worksheets[0]!.getColumn(1).values.slice(2);
    expect(names).toEqual([ds[0]!.name]);
    const exports = await t.db.select().from(auditLog).where(and(eq(auditLog.entity, 'mentorship_pair'), eq(auditLog.action, 'export')));
    expect(exports).toHaveLength(1);
  });

  it('shows a pair: goals, and the check-in timeline with the mentee\'s words as typed', async () => {
    const html = await (await admin.get(`/mentorship/${busy}`)).text();
    expect(html).toContain('独立承办一次群众接待');
    expect(html).toContain('学会了接待流程');
    expect(html).toContain('谈心&lt;b&gt;2026-11-16&lt;/b&gt;');
    expect(html.indexOf('2026-11-16')).toBeLessThan(html.indexOf('2026-09-15'));
  });

  it('creates a pair from the form, and re-renders a bad form with 422 and its messages in Chinese and in English', async () => {
    const form = { mentorIds: String(ds[4]!.id), menteeIds: String(ds[4]!.id), startsOn: '2026-11-25', endsOn: '2026-11-01', cadence: 'monthly', status: 'active', goalTitle0: '熟悉基层治理' };
    const bad = await admin.post('/mentorship', form);
    expect(bad.status).toBe(422);
    const zh = await bad.text();
    expect(zh).toContain('同一人不能既是导师又是徒弟。');
    expect(zh).toContain('结束日期不能早于开始日期。');
    expect(zh).toContain('熟悉基层治理');
    const cookie = `${[...admin.jar].map(([k, v]) => `${k}=${v}`).join('; ')}; lang=en`;
    const en = await (await admin.post('/mentorship', form, { cookie })).text();
    expect(en).toContain('One person cannot be both mentor and mentee.');
    expect(await t.db.select().from(mentorshipMembers).where(eq(mentorshipMembers.cadreId, ds[4]!.id))).toHaveLength(0);

    const ok = await admin.post('/mentorship', { ...form, menteeIds: String(ds[5]!.id), endsOn: '' });
    expect(ok.status).toBe(303);
    const page = await (await admin.get(ok.headers.get('location')!)).text();
    expect(page).toContain('熟悉基层治理');
    expect(page).toContain(ds[4]!.name);
  });

  it('gives a unit admin only the pairs touching their units: the other unit\'s pair is absent, its page and edit 404', async () => {
    const list = await (await unitAdmin.get('/mentorship')).text();
    expect(list).toContain(`data-pair="${quiet}"`);
    expect(list).not.toContain(`data-pair="${other}"`);
    expect((await unitAdmin.get(`/mentorship/${other}`)).status).toBe(404);
    expect((await unitAdmin.get(`/mentorship/${other}/edit`)).status).toBe(404);
    const post = await unitAdmin.post(`/mentorship/${other}`, { mentorIds: String(ds[6]!.id), menteeIds: String(ds[7]!.id), startsOn: '2026-01-05', cadence: 'weekly', status: 'active' });
    expect(post.status).toBe(404);
    const [still] = await t.db.select().from(mentorshipPairs).where(eq(mentorshipPairs.id, other));
    expect(still!.cadence).toBe('monthly');
    // A cadre of 西河街道 is not offered to them, and picking one by a tampered form is refused.
    const form = await (await unitAdmin.get('/mentorship/new')).text();
    expect(form).not.toContain(`value="${xh[2]!.id}"`);
    const tampered = await unitAdmin.post('/mentorship', { mentorIds: String(ds[6]!.id), menteeIds: String(xh[2]!.id), startsOn: '2026-11-25', cadence: 'weekly', status: 'active' });
    expect(tampered.status).toBe(422);
    expect(await tampered.text()).toContain('所选干部不存在或不在您的管理范围内。');
  });

  it("puts overdue pairs in the dashboard's review list, and meetings on both cadres' timelines", async () => {
    const dashboard = await (await unitAdmin.get('/')).text();
    expect(dashboard).toContain('1 个师徒结对已连续两期没有见面');
    expect(dashboard).toContain('/mentorship?health=overdue');
    const mentee = await (await admin.get(`/cadres/${ds[3]!.id}`)).text();
    expect(mentee).toContain(`与导师${ds[2]!.name}见面`);
    expect(mentee).toContain(`/mentorship/${busy}`);
    const mentor = await (await admin.get(`/cadres/${ds[2]!.id}`)).text();
    expect(mentor).toContain(`作为导师与${ds[3]!.name}见面`);
  });

  it('imports pairs from .xlsx all or nothing, naming each bad row', async () => {
    const [e4, e5, e6, e7]: string[] = await Promise.all([ds[8]!, ds[9]!, ds[10]!, ds[11]!].map(async (c) => (await t.db.select({ no: cadres.employeeNo }).from(cadres).where(eq(cadres.id, c.id)))[0]!.no!));
    const file = async (rows: Array<Array<string | undefined>>) => {
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('结对');
      sheet.addRow(['导师工号', '徒弟工号', '开始日期', '结束日期', '见面频率', '培养目标']);
      for (const r of rows) sheet.addRow(r);
      const form = new FormData();
      form.set('file', new File([new Uint8Array((await book.xlsx.writeBuffer()) as ArrayBuffer)], 'pairs.xlsx'));
      return form;
    };
    const pairsBefore = (await t.db.select().from(mentorshipPairs)).length;
    const bad = await admin.post('/mentorship/import', await file([
      [e4, e5, '2026-11-02', '', '每月', '熟悉招商流程；独立写调研报告'],
      [e6, 'QH99999', '2026-11-02', '', '每周', ''],
      [e6, e7, '2026-02-30', '', '每两周', ''],
    ]));
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('第 3 行 · 徒弟工号：所选干部不存在或不在您的管理范围内。');
    expect(html).toContain('第 4 行 · 开始日期：请输入有效日期（年-月-日）。');
    expect(html).not.toContain('第 2 行');
    expect(await t.db.select().from(mentorshipPairs)).toHaveLength(pairsBefore);

    const good = await admin.post('/mentorship/import', await file([
      [e4, e5, '2026-11-02', '', '每月', '熟悉招商流程；独立写调研报告'],
      [`${e6}、${e4}`, e7, '2026-11-02', '', '每两周', ''],
    ]));
    expect(good.status).toBe(303);
    expect(await (await admin.get(good.headers.get('location')!)).text()).toContain('已导入 2 个结对。');
    expect(await t.db.select().from(mentorshipPairs)).toHaveLength(pairsBefore + 2);
    const goals = await t.db.select().from(mentorshipGoals).where(eq(mentorshipGoals.title, '独立写调研报告'));
    expect(goals).toHaveLength(1);
  });

  it('refuses a viewer the form and its post', async () => {
    expect((await viewer.get('/mentorship/new')).status).toBe(403);
    expect((await viewer.post('/mentorship', { mentorIds: String(ds[6]!.id), menteeIds: String(ds[7]!.id), startsOn: '2026-11-25', cadence: 'weekly', status: 'active' })).status).toBe(403);
  });
});
