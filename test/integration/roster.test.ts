import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { auditLog } from '../../db/schema/audit.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { seedDemo } from '../../core/demo.ts';
import { parseCsv } from '../../core/csv.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel } from '../helpers/panel.ts';

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
});
