import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, gte, lte } from 'drizzle-orm';
import { auditLog } from '../../db/schema/audit.ts';
import { units } from '../../db/schema/org.ts';
import { workCalendarDays, workCalendarYears } from '../../db/schema/reminders.ts';
import { seedDemo } from '../../core/demo.ts';
import { fixedClock } from '../../core/clock.ts';
import { parseCalendarCsv } from '../../core/reminders/calendar.ts';
import { ensureBuiltinCalendar, loadWorkCalendar } from '../../core/reminders/store.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel } from '../helpers/panel.ts';

const HX = { 'HX-Request': 'true', 'HX-Request-Type': 'partial' };

function csvFile(text: string, name = 'holidays.csv'): FormData {
  const form = new FormData();
  form.set('file', new File([text], name, { type: 'text/csv' }));
  return form;
}

describe('work calendar page', () => {
  let t: TestDatabase;
  let panel: ReturnType<typeof buildPanel>;
  let admin: ReturnType<typeof browser>;
  let dongshan: number;

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltinCalendar(t.db);
    dongshan = (await t.db.select().from(units).where(eq(units.name, '东山街道')))[0]!.id;
    await addUser(t.db, 'district', 'district_admin');
    await addUser(t.db, 'dongshan', 'unit_admin', { unitId: dongshan });
    await addUser(t.db, 'reader', 'viewer');
    panel = buildPanel(t.db);
    admin = browser(panel.app, '10.8.0.1');
    await admin.signIn('district');
  });
  afterAll(() => t.drop());

  const daysOf = (year: number) =>
    t.db.select().from(workCalendarDays).where(and(gte(workCalendarDays.date, `${year}-01-01`), lte(workCalendarDays.date, `${year}-12-31`))).orderBy(workCalendarDays.date);

  it('is reached from the nav by district admins and refused to everyone else', async () => {
    const home = await (await admin.get('/')).text();
    expect(home).toContain('href="/calendar"');
    expect(home).toContain('工作日历');

    for (const [username, ip] of [['dongshan', '10.8.0.2'], ['reader', '10.8.0.3']] as const) {
      const other = browser(panel.app, ip);
      await other.signIn(username);
      expect(await (await other.get('/')).text()).not.toContain('href="/calendar"');
      expect((await other.get('/calendar')).status).toBe(403);
      expect((await other.get('/calendar/2026.csv')).status).toBe(403);
      expect((await other.post('/calendar/days', { year: '2040', date: '2040-01-01', kind: 'holiday', name: '元旦' })).status).toBe(403);
      expect((await other.post('/calendar/days/2026-10-01/delete', {})).status).toBe(403);
    }
    expect(await daysOf(2040)).toHaveLength(0);
    expect(await t.db.$count(workCalendarDays, eq(workCalendarDays.date, '2026-10-01'))).toBe(1);
  });

  it('shows a year as twelve month grids with holidays and make-up workdays marked, and the list of special days', async () => {
    const res = await admin.get('/calendar?year=2026');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.match(/class="month"/g)).toHaveLength(12);
    expect(html).toContain('class="legend"');
    // 1 October is a holiday, 10 October (a Saturday) a make-up workday, 11 October an ordinary Sunday.
    expect(html).toMatch(/<td class="day holiday"[^>]*data-date="2026-10-01"/);
    expect(html).toMatch(/<td class="day weekend workday"[^>]*data-date="2026-10-10"/);
    expect(html).toMatch(/<td class="day weekend"[^>]*data-date="2026-10-11"/);
    const list = html.slice(html.indexOf('id="special-days"'));
    expect(list).toContain('2026-10-10');
    expect(list).toContain('国庆节');
    expect(list).toContain('hx-post="/calendar/days/2026-10-10/delete"');
    // The years it has, plus the next one, as links.
    expect(html).toContain('href="/calendar?year=2026"');
    expect(html).toContain('href="/calendar?year=2027"');
    expect(html).not.toContain('尚未录入');
  });

  it('warns where the year shown has no notice entered', async () => {
    const html = await (await admin.get('/calendar?year=2038')).text();
    expect(html).toContain('2038 年节假日安排尚未录入');
    expect(html).toContain('只按周一至周五');
  });

  it('adds a day, and refuses impossible dates, weekday make-up days, duplicates and bad names with the message, saving nothing', async () => {
    const bad: Array<[Record<string, string>, string]> = [
      [{ date: '2032-02-30', kind: 'holiday', name: '春节' }, '日期“2032-02-30”不存在'],
      [{ date: '2032-03-03', kind: 'workday', name: '清明节' }, '2032-03-03 是周三，本来就是工作日'],
      [{ date: '2032-03-06', kind: 'holiday', name: '' }, '名称必填，最多 20 个字'],
      [{ date: '2032-03-06', kind: 'holiday', name: '节'.repeat(21) }, '名称必填，最多 20 个字'],
      [{ date: '2032-03-06', kind: 'rest', name: '清明节' }, '类型应为'],
    ];
    for (const [form, message] of bad) {
      const res = await admin.post('/calendar/days', { year: '2032', ...form }, HX);
      expect(res.status, JSON.stringify(form)).toBe(422);
      expect(await res.text()).toContain(message);
    }
    expect(await daysOf(2032)).toHaveLength(0);
    expect(await t.db.$count(workCalendarYears, eq(workCalendarYears.year, 2032))).toBe(0);

    const ok = await admin.post('/calendar/days', { year: '2032', date: '2032-03-06', kind: 'workday', name: '清明节' }, HX);
    expect(ok.status).toBe(200);
    const fragment = await ok.text();
    expect(fragment).not.toContain('<html');
    expect(fragment).toMatch(/data-date="2032-03-06"/);
    expect(await daysOf(2032)).toEqual([{ date: '2032-03-06', kind: 'workday', name: '清明节' }]);
    expect((await loadWorkCalendar(t.db)).isWorkingDay('2032-03-06')).toBe(true);
    const [row] = await t.db.select().from(auditLog).where(and(eq(auditLog.entity, 'work_calendar_day'), eq(auditLog.entityId, '2032-03-06')));
    expect(row?.action).toBe('create');

    const duplicate = await admin.post('/calendar/days', { year: '2032', date: '2032-03-06', kind: 'holiday', name: '别的' }, HX);
    expect(duplicate.status).toBe(422);
    expect(await duplicate.text()).toContain('2032-03-06 已在列表中');
    expect(await daysOf(2032)).toEqual([{ date: '2032-03-06', kind: 'workday', name: '清明节' }]);
  });

  it('words its refusals in English for English users', async () => {
    const en = browser(panel.app, '10.8.0.4');
    await en.signIn('district');
    await en.get('/lang/en?next=/');
    const res = await en.post('/calendar/days', { year: '2033', date: '2033-03-02', kind: 'workday', name: 'x' }, HX);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('2033-03-02 is a Wednesday, already a working day');
    expect(await (await en.get('/calendar?year=2033')).text()).toContain('No holiday schedule has been entered for 2033');
  });

  it('removes a day with a fragment swap, audited', async () => {
    await admin.post('/calendar/days', { year: '2034', date: '2034-01-02', kind: 'holiday', name: '元旦' });
    const res = await admin.post('/calendar/days/2034-01-02/delete', {}, HX);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('id="calendar-year"');
    expect(html.slice(html.indexOf('id="special-days"'))).not.toContain('2034-01-02');
    expect(await daysOf(2034)).toHaveLength(0);
    const [row] = await t.db.select().from(auditLog).where(and(eq(auditLog.entity, 'work_calendar_day'), eq(auditLog.entityId, '2034-01-02'), eq(auditLog.action, 'delete')));
    expect(row).toBeDefined();
    expect((await admin.post('/calendar/days/2034-01-02/delete', {}, HX)).status).toBe(404);
    expect((await admin.post('/calendar/days/2034-02-30/delete', {}, HX)).status).toBe(404);
  });

  it('previews an import listing every bad line, and imports nothing from a file with any', async () => {
    const text = [
      'date,kind,name',
      '2035-01-01,holiday,元旦',
      '2035-02-30,holiday,春节',
      '2035-02-05,放假,春节',
      '2035-02-07,workday,春节',
      '2036-01-01,holiday,元旦',
      '2035-01-01,休,元旦',
      '2035-05-01,holiday,',
    ].join('\n');
    const res = await admin.post('/calendar/import?year=2035', csvFile(text), HX);
    expect(res.status).toBe(422);
    const html = await res.text();
    for (const message of ['第 3 行：日期“2035-02-30”不存在', '第 4 行：类型应为', '第 5 行：2035-02-07 是周三', '第 6 行：2036-01-01 不属于 2035 年', '第 7 行：2035-01-01 已在列表中', '第 8 行：名称必填']) {
      expect(html).toContain(message);
    }
    expect(html).not.toContain('id="import-confirm"');
    expect(await daysOf(2035)).toHaveLength(0);

    const header = await admin.post('/calendar/import?year=2035', csvFile('日期,类型,名称\n2035-01-01,休,元旦'), HX);
    expect(header.status).toBe(422);
    expect(await header.text()).toContain('第一行应为表头 date,kind,name');
    const empty = await admin.post('/calendar/import?year=2035', csvFile('date,kind,name\n'), HX);
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('文件中没有任何日期');
    const none = await admin.post('/calendar/import?year=2035', new FormData(), HX);
    expect(none.status).toBe(422);
    expect(await none.text()).toContain('请选择 CSV 文件');
  });

  it('refuses an oversized upload with a clear message', async () => {
    const big = `date,kind,name\n${'2035-01-01,holiday,元旦\n'.repeat(12_000)}`;
    const res = await admin.post('/calendar/import?year=2035', csvFile(big), HX);
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('文件超过 256 KB');
    expect(await daysOf(2035)).toHaveLength(0);
  });

  it('imports a good file after confirmation, replacing the year in one step, audited', async () => {
    await admin.post('/calendar/days', { year: '2036', date: '2036-12-25', kind: 'holiday', name: '旧的' });
    const text = '\uFEFFdate,kind,name\r\n2036-01-01,休,元旦\r\n2036-01-05,班,元旦\r\n"2036-10-01",holiday,"国庆节"\r\n';
    const preview = await admin.post('/calendar/import?year=2036', csvFile(text), HX);
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toContain('id="import-confirm"');
    expect(html).toContain('3 天');
    expect(await daysOf(2036)).toEqual([{ date: '2036-12-25', kind: 'holiday', name: '旧的' }]);

    const csv = html.match(/name="csv" value="([^"]*)"/)![1]!.replace(/&#(\d+);|&quot;|&amp;|&lt;|&gt;/g, (m, n) => (n ? String.fromCharCode(Number(n)) : { '&quot;': '"', '&amp;': '&', '&lt;': '<', '&gt;': '>' }[m]!));
    // A confirmation whose list was changed on the way is checked again and refused.
    const tampered = await admin.post('/calendar/import/confirm', { year: '2036', csv: `${csv}2036-02-30,holiday,x\n` }, HX);
    expect(tampered.status).toBe(422);
    expect(await daysOf(2036)).toHaveLength(1);

    const done = await admin.post('/calendar/import/confirm', { year: '2036', csv }, HX);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('已导入 2036 年的 3 个特殊日期');
    expect(await daysOf(2036)).toEqual([
      { date: '2036-01-01', kind: 'holiday', name: '元旦' },
      { date: '2036-01-05', kind: 'workday', name: '元旦' },
      { date: '2036-10-01', kind: 'holiday', name: '国庆节' },
    ]);
    const [row] = await t.db.select().from(auditLog).where(and(eq(auditLog.entity, 'work_calendar'), eq(auditLog.entityId, '2036'), eq(auditLog.action, 'import')));
    expect(row?.diff).toEqual({ before: 1, after: 3 });
  });

  it('reads a CSV saved by Excel in GBK', async () => {
    const bytes = new Uint8Array([...Buffer.from('date,kind,name\n2037-01-01,'), 0xd0, 0xdd, ...Buffer.from(','), 0xd4, 0xaa, 0xb5, 0xa9, 0x0a]);
    const form = new FormData();
    form.set('file', new File([bytes], 'gbk.csv', { type: 'text/csv' }));
    const res = await admin.post('/calendar/import?year=2037', form, HX);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('元旦');
  });

  it('downloads a year as CSV in the shipped format, which imports back unchanged', async () => {
    const res = await admin.get('/calendar/2026.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const text = await res.text();
    expect(text.startsWith('date,kind,name\n')).toBe(true);
    const { days, issues } = parseCalendarCsv(text);
    expect(issues).toEqual([]);
    expect(days).toEqual((await loadWorkCalendar(t.db)).specialDaysOf(2026));
    const preview = await admin.post('/calendar/import?year=2026', csvFile(text), HX);
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain('id="import-confirm"');
  });

  it('warns district admins on the dashboard while this year or, from November, next year is not entered', async () => {
    // The panel's clock says 2026-11-25: 2026 is shipped, 2027 is not.
    const november = await (await admin.get('/')).text();
    expect(november).toContain('2027 年节假日安排尚未录入');
    expect(november).toContain('href="/calendar?year=2027"');

    const unitAdmin = browser(panel.app, '10.8.0.5');
    await unitAdmin.signIn('dongshan');
    expect(await (await unitAdmin.get('/')).text()).not.toContain('尚未录入');

    const june = buildPanel(t.db, { clock: fixedClock('2026-06-01T09:00:00+08:00') });
    const juneAdmin = browser(june.app, '10.8.0.6');
    await juneAdmin.signIn('district');
    expect(await (await juneAdmin.get('/')).text()).not.toContain('尚未录入');

    const later = buildPanel(t.db, { clock: fixedClock('2039-03-01T09:00:00+08:00') });
    const laterAdmin = browser(later.app, '10.8.0.7');
    await laterAdmin.signIn('district');
    const march = await (await laterAdmin.get('/')).text();
    expect(march).toContain('2039 年节假日安排尚未录入');
    expect(march).toContain('href="/calendar?year=2039"');

    const preview = await admin.post('/calendar/import?year=2027', csvFile('date,kind,name\n2027-01-01,holiday,元旦\n'), HX);
    expect(preview.status).toBe(200);
    await admin.post('/calendar/import/confirm', { year: '2027', csv: 'date,kind,name\n2027-01-01,holiday,元旦\n' }, HX);
    expect(await (await admin.get('/')).text()).not.toContain('尚未录入');
  });
});
