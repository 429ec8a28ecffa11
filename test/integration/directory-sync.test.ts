import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createLarkApi } from '../../bot/lark.ts';
import { createSandbox, demoDirectory, SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../../bot/sandbox/index.ts';
import { demoOpenId, seedDemo } from '../../core/demo.ts';
import { DirectorySyncError } from '../../core/directory.ts';
import { directorySyncMessage } from '../../cli-text.ts';
import { syncDirectory } from '../../core/directory-sync.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await testDatabase();
  await seedDemo(t.db);
  // A roster imported from a spreadsheet: nobody linked to Lark yet.
  await t.db.execute(sql`update cadres set lark_open_id = null, lark_user_id = null`);
});
afterAll(() => t.drop());

function lark(directory = demoDirectory()) {
  const sandbox = createSandbox();
  sandbox.state.setDirectory(directory);
  return { sandbox, api: createLarkApi({ appId: SANDBOX_APP_ID, appSecret: SANDBOX_APP_SECRET, domain: 'http://x/sandbox', fetch: sandbox.fetch }) };
}

const snapshot = async () =>
  t.db.execute<{ units: string; cadres: string; audits: number }>(sql`
    select (select string_agg(id || ':' || coalesce(lark_department_id, '-') || ':' || name, ',' order by id) from units) as units,
           (select string_agg(id || ':' || coalesce(lark_open_id, '-'), ',' order by id) from cadres) as cadres,
           (select count(*)::int from audit_log where entity = 'lark_directory') as audits`);

describe('directory sync', () => {
  it('stops with a clear error when a page fails, importing nothing', async () => {
    const { api } = lark();
    const before = await snapshot();
    // The first four departments read fine, so a partial import would be possible.
    let calls = 0;
    const flaky = {
      departmentChildren: api.departmentChildren,
      usersInDepartment: async (id: string, token?: string) => {
        if (++calls === 5) throw new Error('HTTP 500, code 1: internal error');
        return api.usersInDepartment(id, token);
      },
    };
    const error = await syncDirectory(t.db, flaky, { actorId: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DirectorySyncError);
    expect(directorySyncMessage(error as DirectorySyncError)).toMatch(/^读取飞书通讯录失败：部门 \S+ 的成员第 1 页未能读取（HTTP 500, code 1: internal error）。本次同步没有导入任何数据/);
    expect(await snapshot()).toEqual(before);
  });

  it('links every cadre by user id, employee number or mobile, and maps departments to units', async () => {
    const directory = demoDirectory();
    // Some users come without user_id or employee number (missing scopes): mobile still matches.
    for (const [i, u] of directory.users.entries()) {
      if (i % 3 === 0) delete u.user_id;
      if (i % 3 === 1) delete u.employee_no;
    }
    const { api } = lark(directory);
    const report = await syncDirectory(t.db, api, { actorId: null });
    expect(report).toMatchObject({ departments: 12, users: 300, unitsCreated: 0, unitsUpdated: 12, cadresLinked: 300, notInRoster: [], conflicts: [] });
    const [row] = await t.db.execute<{ linked: number; first: string }>(sql`
      select count(*) filter (where lark_open_id is not null)::int as linked,
             (select lark_open_id from cadres where employee_no = 'QH00001') as first from cadres`);
    expect(row).toEqual({ linked: 300, first: demoOpenId(1) });
    const [unit] = await t.db.execute<{ lark_department_id: string }>(sql`select lark_department_id from units where name = '东山街道'`);
    expect(unit!.lark_department_id).toBe('qh-dongshan');

    // Running it again changes nothing.
    const again = await syncDirectory(t.db, api, { actorId: null });
    expect(again).toMatchObject({ unitsCreated: 0, unitsUpdated: 0, cadresLinked: 0, cadresUnchanged: 300 });
  });

  it('pages through large departments, creates new units, and reports people not in the roster', async () => {
    const directory = demoDirectory();
    directory.departments.push({ department_id: 'qh-new', name: '区数据局', parent_department_id: '0', order: '99' });
    // Everyone moves into one department of 300: six pages of 50.
    for (const u of directory.users) u.department_ids = ['qh-new'];
    directory.users.push({ open_id: 'ou_newcomer', name: '新同事', mobile: '+8613000000000', department_ids: ['qh-new'] });
    const { api } = lark(directory);
    const report = await syncDirectory(t.db, api, { actorId: null });
    expect(report).toMatchObject({ departments: 13, users: 301, unitsCreated: 1, notInRoster: ['ou_newcomer'], conflicts: [] });
    // The third who came without a user id last time now get it.
    expect(report).toMatchObject({ cadresLinked: 100, cadresUnchanged: 200 });
    const [unit] = await t.db.execute<{ kind: string; parent: string }>(sql`
      select u.kind, p.name as parent from units u join units p on p.id = u.parent_id where u.lark_department_id = 'qh-new'`);
    expect(unit).toEqual({ kind: 'bureau', parent: '青禾区' });
  });
});
