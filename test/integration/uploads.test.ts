/**
 * Uploads that must not hurt the server: the paper-ballot CSV through the panel (size, rows,
 * columns, GBK), and a real `npm start` process reading a hostile workbook in its worker thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { seedDemo } from '../../core/demo.ts';
import { createCampaign, leadersOfUnits, openCampaign, proposeRaters, saveRaters, setTargets } from '../../core/evaluation/campaigns.ts';
import { ensureBuiltInTemplates, latestTemplateVersion, POLITICAL_QUALITY, templateIdByKey, templateItems } from '../../core/evaluation/templates.ts';
import { freePort } from '../../db/embedded.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { gbk } from '../helpers/gbk.ts';
import { addUser, browser, buildPanel } from '../helpers/panel.ts';
import { runMiaopu } from '../helpers/process.ts';
import { xfdWorkbook } from '../helpers/xlsx.ts';

const labels = templateItems(POLITICAL_QUALITY).map((i) => i.label);
const ROSTER_HEADER = '姓名,性别,出生日期,单位,职务,职级,班子成员,主要领导,学历,专业领域,标签,中共党员,工号,手机号,状态';

function upload(name: string, content: string | Uint8Array, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set('file', new File([content as BlobPart], name));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return form;
}

describe('paper ballots uploaded through the panel', () => {
  let t: TestDatabase;
  let campaignId: number;
  let numbers: string[];
  let admin: ReturnType<typeof browser>;
  /** Slips counted: in the box, or held sealed until enough wait (core/evaluation/ballot-box.ts). */
  const slips = async () =>
    (await t.db.execute<{ n: number }>(sql`select (select count(*) from evaluation_ballots) + (select count(*) from evaluation_held_slips) as n`))[0]!.n;
  /** Who handed in a sheet: one subordinate rater's employee number. */
  let voter: string;
  const csv = (rows: string[][]) => [['问卷编号', '类别', '被评价人编号', ...labels, '意见建议'].join(','), ...rows.map((r) => r.join(','))].join('\r\n');
  const sheet = (no: string, level: string) => numbers.map((n) => [no, '下级', n, ...labels.map(() => level), '']);
  const post = (content: string | Uint8Array) => admin.post(`/evaluation/${campaignId}/paper`, upload('scan.csv', content, { voters: voter }), { 'HX-Request': 'true' });

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltInTemplates(t.db);
    const [org] = await t.db.select().from(units).where(eq(units.name, '区委组织部'));
    const version = await latestTemplateVersion(t.db, (await templateIdByKey(t.db, 'political_quality'))!);
    const campaign = await createCampaign(t.db, { title: '政治素质测评', kind: 'special', year: 2026, templateVersionId: version!.id, opensAt: new Date('2026-11-20T00:00:00Z'), closesAt: new Date('2026-12-10T00:00:00Z') }, null);
    campaignId = campaign.id;
    const leaders = await leadersOfUnits(t.db, [org!.id]);
    await setTargets(t.db, campaignId, leaders, null);
    const proposal = await proposeRaters(t.db, campaignId);
    await saveRaters(t.db, campaignId, proposal, null);
    const subordinate = proposal.find((p) => p.category === 'subordinate')!;
    voter = (await t.db.select({ no: cadres.employeeNo }).from(cadres).where(eq(cadres.id, subordinate.cadreId)))[0]!.no!;
    const panel = buildPanel(t.db);
    await openCampaign(t.db, campaignId, panel.clock, null);
    numbers = [];
    for (const id of leaders) numbers.push((await t.db.select({ no: cadres.employeeNo }).from(cadres).where(eq(cadres.id, id)))[0]!.no!);
    await addUser(t.db, 'district', 'district_admin');
    admin = browser(panel.app, '10.7.0.1');
    await admin.signIn('district');
  });
  afterAll(() => t.drop());

  it('answers 413 with a message to a file over 2 MB, and counts nothing', async () => {
    const res = await post(new Uint8Array(2 * 1024 * 1024 + 100 * 1024).fill(0x41));
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('文件过大：最大 2 MB');
    expect(Number(await slips())).toBe(0);
  });

  it('refuses too many rows and too many columns, naming the cap, and counts nothing', async () => {
    const many = csv(Array.from({ length: 20_001 }, (_, i) => [`S${i}`, '下级', numbers[0]!, ...labels.map(() => '好'), '']));
    const rows = await post(many);
    expect(rows.status).toBe(422);
    expect(await rows.text()).toContain('行数过多：一个文件最多 20000 行');
    const wide = await post(`${csv(sheet('W1', '好'))}\r\n${'x,'.repeat(100)}x`);
    expect(wide.status).toBe(422);
    expect(await wide.text()).toContain('列数过多：最多 100 列');
    expect(Number(await slips())).toBe(0);
  });

  it('reads a GBK file, as Excel saves it on a Chinese Windows', async () => {
    const bytes = gbk(csv(sheet('G1', '好')));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const res = await post(bytes);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`已导入 1 张纸质选票（${numbers.length} 条评价）`);
    expect(Number(await slips())).toBe(numbers.length);
  });
});

describe('npm start reading a hostile upload', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await testDatabase();
  });
  afterAll(() => t.drop());

  it('refuses the XFD workbook in its worker thread and keeps serving', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const run = runMiaopu({ DATABASE_URL: t.url, PORT: String(port) });
    try {
      const [, password] = await run.waitFor(/Sign in as "admin" with password: (\S+)/);
      await run.waitFor(/Miaopu is running/);
      const base = `http://127.0.0.1:${port}`;
      const login = await fetch(`${base}/login`, { method: 'POST', redirect: 'manual', headers: { origin: base }, body: new URLSearchParams({ username: 'admin', password: password! }) });
      const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const send = (name: string, content: string | Uint8Array) => fetch(`${base}/import/preview`, { method: 'POST', headers: { origin: base, cookie, 'HX-Request': 'true' }, body: upload(name, content) });

      const hostile = await send('名册.xlsx', xfdWorkbook(1500, ROSTER_HEADER.split(',')));
      expect(hostile.status).toBe(422);
      expect(await hostile.text()).toContain('列数过多');
      const big = await send('big.csv', new Uint8Array(6 * 1024 * 1024));
      expect(big.status).toBe(413);
      expect(await big.text()).toContain('文件过大');

      const good = await send('名册.csv', gbk(`${ROSTER_HEADER}\n欧阳娜,女,1992-02-03,东山街道,干事,一级科员,否,否,,,,是,,13500000099,在岗\n`));
      expect(good.status).toBe(200);
      expect(await good.text()).toContain('欧阳娜');
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect(run.child.exitCode).toBeNull();
    } finally {
      expect((await run.stop()).code).toBe(0);
    }
  });
});
