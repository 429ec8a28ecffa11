import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, ne } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { auditLog } from '../../db/schema/audit.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { seedDemo } from '../../core/demo.ts';
import { parseCsv } from '../../core/csv.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel } from '../helpers/panel.ts';
import { gbk } from '../helpers/gbk.ts';
import { xfdWorkbook } from '../helpers/xlsx.ts';

const HEADER = '姓名,性别,出生日期,单位,职务,职级,班子成员,主要领导,学历,专业领域,标签,中共党员,工号,手机号,状态';

function upload(name: string, content: string | Uint8Array) {
  const form = new FormData();
  form.set('file', new File([content as BlobPart], name));
  return form;
}

describe('roster import', () => {
  let t: TestDatabase;
  let panel: ReturnType<typeof buildPanel>;
  let admin: ReturnType<typeof browser>;
  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    const [dongshan] = await t.db.select().from(units).where(eq(units.name, '东山街道'));
    await addUser(t.db, 'district', 'district_admin');
    await addUser(t.db, 'dongshan', 'unit_admin', { unitId: dongshan!.id });
    panel = buildPanel(t.db);
    admin = browser(panel.app, '10.5.0.1');
    await admin.signIn('district');
  });
  afterAll(() => t.drop());

  it('reads quoted CSV fields', () => {
    expect(parseCsv('a,"b, c","d ""e"""\r\n1,2,3\n')).toEqual([['a', 'b, c', 'd "e"'], ['1', '2', '3']]);
  });

  it('offers a template that its own import reads', async () => {
    const res = await admin.get('/import/template.xlsx');
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    expect(book.worksheets[0]!.getRow(1).getCell(1).value).toBe('姓名');
  });

  it('lists every bad row\'s problems in the preview, and a forced commit writes nothing', async () => {
    const before = await t.db.$count(cadres);
    const [existing] = await t.db.select().from(cadres).limit(1);
    const csv = [
      HEADER,
      '赵新,男,1991-03-04,东山街道,干事,一级科员,否,否,大学本科,党建,,是,,13800000001,在岗',
      ',女,1992-01-01,东山街道,干事,一级科员,否,否,,,,是,,13800000002,在岗',
      '钱新,女,1992-13-01,不存在的单位,干事,一级科员,否,否,,,,是,,13800000003,在岗',
      '孙新,男,1990-01-01,西河街道,干事,一级科员,否,否,,,,是,,13800000001,在岗',
      `李新,男,1990-01-01,西河街道,干事,一级科员,否,否,,,,是,,${existing!.mobile},在岗`,
    ].join('\n');
    const res = await admin.post('/import/preview', upload('roster.csv', csv), { 'HX-Request': 'true' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('共 5 行，其中 4 行有问题');
    expect(html).toContain('缺少姓名');
    expect(html).toContain('日期格式应为');
    expect(html).toContain('单位不存在');
    expect(html).toContain('文件中手机号重复');
    expect(html).not.toContain('id="commit-button"');

    const rows = csv.split('\n').slice(1).map((line, i) => ({ line: i + 2, values: Object.fromEntries(HEADER.split(',').map((h, k) => [h, line.split(',')[k]])) }));
    const fields = ['name', 'gender', 'birthDate', 'unit', 'position', 'rank', 'isLeader', 'isPrincipal', 'education', 'field', 'tags', 'isPartyMember', 'employeeNo', 'mobile', 'status'];
    const forced = rows.map((r) => ({ line: r.line, values: Object.fromEntries(fields.map((f, k) => [f, Object.values(r.values)[k]])) }));
    const commit = await admin.post('/import/commit', { rows: JSON.stringify(forced) });
    expect(commit.status).toBe(422);
    expect(await t.db.$count(cadres)).toBe(before);
    expect(await t.db.select().from(cadres).where(eq(cadres.mobile, '13800000001'))).toHaveLength(0);
  });

  it('previews a good .xlsx, then creates and updates in one commit with audit rows', async () => {
    const [existing] = await t.db.select().from(cadres).where(eq(cadres.employeeNo, 'QH00010'));
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('名册');
    sheet.addRow(HEADER.split(','));
    sheet.addRow(['周新', '女', new Date('1993-07-08T00:00:00Z'), '南湖街道', '网格管理员', '二级科员', '否', '否', '硕士研究生', '社会治理', '优秀年轻干部、导师', '是', 'QH90001', '13700000001', '在岗']);
    sheet.addRow([existing!.name, existing!.gender === 'male' ? '男' : '女', existing!.birthDate, '青禾区', '新任职务', existing!.rank, '是', '否', '', '', '', '是', 'QH00010', existing!.mobile, '挂职']);
    const bytes = new Uint8Array((await book.xlsx.writeBuffer()) as ArrayBuffer);
    const preview = await admin.post('/import/preview', upload('名册.xlsx', bytes), { 'HX-Request': 'true' });
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toContain('共 2 行，其中 0 行有问题');
    expect(html).toContain('新建');
    expect(html).toContain('更新');
    const rows = html.match(/name="rows" value="([^"]*)"/)![1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    const done = await admin.post('/import/commit', { rows });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('导入完成：新建 1 人，更新 1 人');
    const [created] = await t.db.select().from(cadres).where(eq(cadres.employeeNo, 'QH90001'));
    expect(created).toMatchObject({ name: '周新', gender: 'female', birthDate: '1993-07-08', tags: ['优秀年轻干部', '导师'] });
    const [updated] = await t.db.select().from(cadres).where(eq(cadres.id, existing!.id));
    expect(updated).toMatchObject({ position: '新任职务', status: 'seconded' });
    const audits = await t.db.select().from(auditLog).where(eq(auditLog.entity, 'roster'));
    expect(audits.at(-1)!.diff).toEqual({ rows: 2, created: 1, updated: 1 });
    const cadreRows = await t.db.select().from(auditLog).where(eq(auditLog.entityId, String(existing!.id)));
    expect(cadreRows.some((r) => r.action === 'update' && JSON.stringify(r.diff).includes('新任职务'))).toBe(true);
  });

  it('refuses rows outside a unit admin\'s scope', async () => {
    const unitAdmin = browser(panel.app, '10.5.0.2');
    await unitAdmin.signIn('dongshan');
    const csv = `${HEADER}\n吴新,男,1991-03-04,西河街道,干事,一级科员,否,否,,,,是,,13600000001,在岗\n`;
    const res = await unitAdmin.post('/import/preview', upload('r.csv', csv));
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('超出您的管理范围');
  });

  it('explains an unreadable file in Chinese', async () => {
    const res = await admin.post('/import/preview', upload('r.pdf', 'not a roster'), { 'HX-Request': 'true' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('无法读取该文件');
    const broken = await admin.post('/import/preview', upload('r.xlsx', 'not a zip'), { 'HX-Request': 'true' });
    expect(await broken.text()).toContain('无法读取该文件');
  });
  const rosterLine = (fields: Partial<Record<'name' | 'unit' | 'position' | 'birthDate' | 'tags' | 'employeeNo' | 'mobile', string>>) =>
    [fields.name ?? '新同志', '男', fields.birthDate ?? '1991-03-04', fields.unit ?? '东山街道', fields.position ?? '干事', '一级科员', '否', '否', '', '', fields.tags ?? '', '是', fields.employeeNo ?? '', fields.mobile ?? '', '在岗'].join(',');
  const problemBadges = (html: string) => [...html.matchAll(/class="badge err problem">([^<]*)</g)].map((m) => m[1]);
  const committedRows = (html: string) => html.match(/name="rows" value="([^"]*)"/)![1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&');

  it('refuses the 18 KB workbook whose rows touch column XFD with a clear 422, and keeps serving', async () => {
    const bytes = xfdWorkbook(1500, HEADER.split(','));
    expect(bytes.length).toBeLessThan(20 * 1024);
    const res = await admin.post('/import/preview', upload('名册.xlsx', bytes), { 'HX-Request': 'true' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('列数过多：最多 50 列，未做任何更改');
    expect((await admin.get('/import')).status).toBe(200);
    const next = await admin.post('/import/preview', upload('r.csv', `${HEADER}\n${rosterLine({ mobile: '13500000001' })}\n`), { 'HX-Request': 'true' });
    expect(next.status).toBe(200);
    expect(await next.text()).toContain('共 1 行，其中 0 行有问题');
  });

  it('answers 413 with a message to a file over 5 MB, and to any other form over 1 MB', async () => {
    const res = await admin.post('/import/preview', upload('big.csv', new Uint8Array(5 * 1024 * 1024 + 100 * 1024).fill(0x41)), { 'HX-Request': 'true' });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('文件过大：最大 5 MB');
    const form = await admin.post('/units', { name: 'x'.repeat(2 * 1024 * 1024), kind: 'office' }, { 'HX-Request': 'true' });
    expect(form.status).toBe(413);
    expect(await form.text()).toContain('提交的内容过大');
  });

  it('refuses a file with more rows than the cap, naming the cap, and writes nothing', async () => {
    const before = await t.db.$count(cadres);
    const lines = Array.from({ length: 5001 }, (_, i) => rosterLine({ name: `批量${i}`, mobile: String(13300000000 + i) }));
    const res = await admin.post('/import/preview', upload('many.csv', `${HEADER}\n${lines.join('\n')}\n`), { 'HX-Request': 'true' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('行数过多：一个文件最多 5000 行');
    expect(await t.db.$count(cadres)).toBe(before);
  });

  it('reads a GBK CSV as Excel saves it on a Chinese Windows', async () => {
    const bytes = gbk(`${HEADER}\n${rosterLine({ name: '欧阳娜', position: '党建办干事', mobile: '13500000002' })}\n`);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const preview = await admin.post('/import/preview', upload('名册.csv', bytes), { 'HX-Request': 'true' });
    expect(preview.status).toBe(200);
    const done = await admin.post('/import/commit', { rows: committedRows(await preview.text()) });
    expect(done.status).toBe(200);
    const [saved] = await t.db.select().from(cadres).where(eq(cadres.mobile, '13500000002'));
    expect(saved).toMatchObject({ name: '欧阳娜', position: '党建办干事' });
  });

  it('holds every field to the edit form\'s limits: a 20,000-character position is refused', async () => {
    const line = rosterLine({ name: '钱长', position: '职'.repeat(20_000), mobile: '13500000003' });
    const preview = await admin.post('/import/preview', upload('long.csv', `${HEADER}\n${line}\n`), { 'HX-Request': 'true' });
    expect(preview.status).toBe(422);
    expect(problemBadges(await preview.text())).toEqual(['职务过长（最多 60 字）']);
    const values = Object.fromEntries(['name', 'gender', 'birthDate', 'unit', 'position', 'rank', 'isLeader', 'isPrincipal', 'education', 'field', 'tags', 'isPartyMember', 'employeeNo', 'mobile', 'status'].map((f, i) => [f, line.split(',')[i]]));
    const forced = await admin.post('/import/commit', { rows: JSON.stringify([{ line: 2, values }]) });
    expect(forced.status).toBe(422);
    expect(await t.db.select().from(cadres).where(eq(cadres.mobile, '13500000003'))).toHaveLength(0);
    const tags = await admin.post('/import/preview', upload('tags.csv', `${HEADER}\n${rosterLine({ name: '孙标', tags: '标'.repeat(31), mobile: '13500000004' })}\n`), { 'HX-Request': 'true' });
    expect(problemBadges(await tags.text())).toEqual(['标签过长（最多 30 字）']);
  });

  it('tells a unit admin only that a row is not theirs to import, whatever exists in another unit', async () => {
    const unitAdmin = browser(panel.app, '10.5.0.3');
    await unitAdmin.signIn('dongshan');
    const [xihe] = await t.db.select().from(units).where(eq(units.name, '西河街道'));
    const [other] = await t.db.select().from(cadres).where(and(eq(cadres.unitId, xihe!.id), ne(cadres.mobile, '')));
    const csv = [
      HEADER,
      rosterLine({ name: '冯新', mobile: other!.mobile! }),
      rosterLine({ name: '陈新', employeeNo: other!.employeeNo!, mobile: '13500000005' }),
      rosterLine({ name: '褚新', birthDate: '1990-13-01', mobile: other!.mobile! }),
      rosterLine({ name: '卫新', unit: '西河街道', mobile: '13500000006' }),
    ].join('\n');
    const res = await unitAdmin.post('/import/preview', upload('r.csv', csv), { 'HX-Request': 'true' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(problemBadges(html)).toEqual(Array(4).fill('超出您的管理范围：您不能导入这一行'));
    expect(html).not.toContain('手机号与他人重复');
    expect(html).not.toContain(other!.name);
  });

  it('audits every preview with counts and no personal data', async () => {
    const before = await t.db.$count(auditLog, and(eq(auditLog.entity, 'roster'), eq(auditLog.action, 'preview')));
    const csv = `${HEADER}\n${rosterLine({ name: '蒋审计', mobile: '13500000007' })}\n${rosterLine({ name: '', mobile: '13500000008' })}\n`;
    await admin.post('/import/preview', upload('r.csv', csv), { 'HX-Request': 'true' });
    await admin.post('/import/preview', upload('x.xlsx', xfdWorkbook(10, HEADER.split(','))), { 'HX-Request': 'true' });
    const rows = await t.db.select().from(auditLog).where(and(eq(auditLog.entity, 'roster'), eq(auditLog.action, 'preview'))).orderBy(auditLog.id);
    expect(rows).toHaveLength(before + 2);
    expect(rows.at(-2)!.diff).toEqual({ rows: 2, problems: 1, create: 1, update: 0 });
    expect(rows.at(-1)!.diff).toEqual({ refused: 'too_many_columns' });
    expect(JSON.stringify(rows.slice(-2))).not.toMatch(/蒋审计|13500000007/);
    expect(rows.at(-1)!.actorId).not.toBeNull();
  });

  it('asks for the full path when a bare unit name is ambiguous, and takes the full path', async () => {
    const parents = await t.db.select().from(units).where(eq(units.parentId, (await t.db.select().from(units).where(eq(units.name, '青禾区')))[0]!.id));
    const dongshan = parents.find((u) => u.name === '东山街道')!;
    const xihe = parents.find((u) => u.name === '西河街道')!;
    for (const parent of [dongshan, xihe]) {
      const res = await admin.post('/units', { name: '党建办', kind: 'office', parentId: String(parent.id) }, { 'HX-Request': 'true' });
      expect(res.status).toBe(200);
    }
    const bare = await admin.post('/import/preview', upload('r.csv', `${HEADER}\n${rosterLine({ name: '韩新', unit: '党建办', mobile: '13500000009' })}\n`), { 'HX-Request': 'true' });
    expect(bare.status).toBe(422);
    expect(problemBadges(await bare.text())).toEqual(['有多个单位名为“党建办”，请填写完整路径（用 / 分隔），例如：青禾区/东山街道/党建办；青禾区/西河街道/党建办']);

    const full = await admin.post('/import/preview', upload('r.csv', `${HEADER}\n${rosterLine({ name: '韩新', unit: '青禾区/西河街道/党建办', mobile: '13500000009' })}\n${rosterLine({ name: '杨新', unit: '东山街道/党建办', mobile: '13500000010' })}\n`), { 'HX-Request': 'true' });
    expect(full.status).toBe(200);
    expect((await admin.post('/import/commit', { rows: committedRows(await full.text()) })).status).toBe(200);
    const [han] = await t.db.select({ unitId: cadres.unitId }).from(cadres).where(eq(cadres.mobile, '13500000009'));
    const [yang] = await t.db.select({ unitId: cadres.unitId }).from(cadres).where(eq(cadres.mobile, '13500000010'));
    const [xiheOffice] = await t.db.select().from(units).where(and(eq(units.name, '党建办'), eq(units.parentId, xihe.id)));
    const [dongshanOffice] = await t.db.select().from(units).where(and(eq(units.name, '党建办'), eq(units.parentId, dongshan.id)));
    expect(han!.unitId).toBe(xiheOffice!.id);
    expect(yang!.unitId).toBe(dongshanOffice!.id);

    // A unit admin means their own 党建办: the other one is neither offered nor hinted at.
    const unitAdmin = browser(panel.app, '10.5.0.4');
    await unitAdmin.signIn('dongshan');
    const own = await unitAdmin.post('/import/preview', upload('r.csv', `${HEADER}\n${rosterLine({ name: '朱新', unit: '党建办', mobile: '13500000011' })}\n`), { 'HX-Request': 'true' });
    expect(own.status).toBe(200);
  });
});
