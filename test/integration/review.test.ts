import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { seedDemo } from '../../core/demo.ts';
import type { InboxEntry } from '../../core/review.ts';
import { auditLog } from '../../db/schema/audit.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { fixedClock } from '../../core/clock.ts';
import { castBallot } from '../../core/evaluation/ballots.ts';
import { createCampaign, leadersOfUnits, openCampaign, proposeRaters, saveRaters, setTargets } from '../../core/evaluation/campaigns.ts';
import { ANNUAL_ASSESSMENT, ensureBuiltInTemplates, latestTemplateVersion, templateIdByKey, templateItems } from '../../core/evaluation/templates.ts';
import { reviewMarks } from '../../db/schema/review.ts';
import { FEATURES } from '../../features/index.ts';
import type { Feature } from '../../features/feature.ts';
import { buildResultsCampaign } from '../helpers/results-campaign.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel, TEST_SEAL_KEY } from '../helpers/panel.ts';

const NOW = new Date('2026-11-25T09:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000);

/** A feature whose inbox is a list the test edits: what it drops was "handled elsewhere". */
function stubFeature(entries: InboxEntry[]): Feature {
  return { name: 'stub', build: () => ({ inbox: [{ label: (lang) => (lang === 'en' ? 'Check-ins' : '结对记录'), list: async () => entries }] }) };
}
const broken: Feature = {
  name: 'broken',
  build: () => ({
    inbox: [
      {
        label: () => '坏掉的功能',
        list: async () => {
          throw new Error('relation "broken_items" does not exist');
        },
      },
    ],
  }),
};

const allKeys = (html: string) => [...html.matchAll(/data-key="([^"]+)"/g)].map((m) => m[1]!);
/** The stub's items only: evaluation's own items depend on the campaigns other tests make. */
const keyOf = (html: string) => allKeys(html).filter((k) => k.startsWith('stub:'));

describe('the review inbox (审阅)', () => {
  let t: TestDatabase;
  let orgUnit: number;
  let dongshan: number;
  let entries: InboxEntry[];
  let panel: ReturnType<typeof buildPanel>;
  let admin: ReturnType<typeof browser>;
  let dongshanAdmin: ReturnType<typeof browser>;
  let viewer: ReturnType<typeof browser>;
  let partner: ReturnType<typeof browser>;

  const entry = (id: string, unit: { id: number; name: string }, at: Date, actions: InboxEntry['actions'] = ['read', 'comment', 'accept', 'decline']): InboxEntry => ({
    kind: 'check_in',
    kindLabel: '结对记录',
    id,
    title: `结对记录 ${id}`,
    unit,
    submittedAt: at,
    href: `/stub/${id}`,
    detail: `第 ${id} 次`,
    actions,
  });

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    orgUnit = (await t.db.select().from(units).where(eq(units.name, '区委组织部')))[0]!.id;
    dongshan = (await t.db.select().from(units).where(eq(units.name, '东山街道')))[0]!.id;
    await addUser(t.db, 'district', 'district_admin');
    await addUser(t.db, 'dongshan', 'unit_admin', { unitId: dongshan });
    await addUser(t.db, 'reader', 'viewer', { unitId: dongshan });
    await addUser(t.db, 'partner', 'partner');
  }, 60_000);
  afterAll(() => t?.drop());

  async function setUp(list: InboxEntry[], extra: Feature[] = []) {
    entries = list;
    panel = buildPanel(t.db, { features: [...FEATURES, stubFeature(entries), ...extra] });
    admin = browser(panel.app, '10.7.0.1');
    dongshanAdmin = browser(panel.app, '10.7.0.2');
    viewer = browser(panel.app, '10.7.0.3');
    partner = browser(panel.app, '10.7.0.4');
    await admin.signIn('district');
    await dongshanAdmin.signIn('dongshan');
    await viewer.signIn('reader');
    await partner.signIn('partner');
  }
  const org = () => ({ id: orgUnit, name: '区委组织部' });
  const ds = () => ({ id: dongshan, name: '东山街道' });
  const act = (who: ReturnType<typeof browser>, key: string, action: string, comment?: string) =>
    who.post('/review/act', { key, action, back: '/review', ...(comment == null ? {} : { comment }) }, { 'HX-Request': 'true' });
  const auditOf = (key: string, action: string) => t.db.select().from(auditLog).where(and(eq(auditLog.entity, 'review_item'), eq(auditLog.entityId, key), eq(auditLog.action, action)));

  it('lists each viewer the items of their units only, with the counts per feature', async () => {
    await setUp([entry('s1', org(), hoursAgo(1)), entry('s2', ds(), hoursAgo(30))]);
    const all = await (await admin.get('/review')).text();
    expect(keyOf(all)).toEqual(['stub:check_in:s1', 'stub:check_in:s2']);
    expect(all).toContain('结对记录 s1');
    expect(all).toMatch(/结对记录<span class="count">2<\/span>/);

    const mine = await (await dongshanAdmin.get('/review')).text();
    expect(keyOf(mine)).toEqual(['stub:check_in:s2']);
    expect(mine).not.toContain('结对记录 s1');
    expect(mine).toMatch(/结对记录<span class="count">1<\/span>/);
    // The menu names it for admins and viewers, not for partners, who are refused.
    expect(mine).toContain('href="/review"');
    expect(await (await partner.get('/')).text()).not.toContain('href="/review"');
    expect((await partner.get('/review')).status).toBe(403);
  });

  it('filters by feature, unit and age in the query string, a page at a time', async () => {
    const many = Array.from({ length: 23 }, (_, i) => entry(`p${i}`, ds(), hoursAgo(24 * 10 + i)));
    await setUp([entry('today', org(), hoursAgo(1)), entry('week', ds(), hoursAgo(24 * 3)), ...many]);
    expect(keyOf(await (await admin.get('/review?age=today')).text())).toEqual(['stub:check_in:today']);
    expect(keyOf(await (await admin.get('/review?age=week')).text())).toEqual(['stub:check_in:week']);
    const older = await (await admin.get('/review?age=older')).text();
    expect(keyOf(older)).toHaveLength(20);
    expect(older).toContain('共 23 条');
    expect(keyOf(await (await admin.get('/review?age=older&page=2')).text())).toEqual(['stub:check_in:p20', 'stub:check_in:p21', 'stub:check_in:p22']);
    expect(keyOf(await (await admin.get(`/review?unit=${orgUnit}`)).text())).toEqual(['stub:check_in:today']);
    expect(keyOf(await (await admin.get('/review?feature=evaluation')).text())).toEqual([]);
    expect(keyOf(await (await admin.get('/review?feature=stub&age=week')).text())).toEqual(['stub:check_in:week']);
    // A fragment for htmx, with the export link following the filters.
    const fragment = await (await admin.get('/review?age=today', { 'HX-Request': 'true', 'HX-Request-Type': 'partial' })).text();
    expect(fragment).not.toContain('<html');
    expect(fragment).toContain('href="/review/export.xlsx?age=today"');

    const xlsx = await admin.get('/review/export.xlsx?age=week');
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await xlsx.arrayBuffer());
    const rows: string[] = [];
    book.worksheets[0]!.eachRow((row, n) => n > 1 && rows.push(String(row.getCell(3).value)));
    expect(rows).toEqual(['结对记录 week']);
    expect(await t.db.select().from(auditLog).where(and(eq(auditLog.entity, 'review_item'), eq(auditLog.action, 'export')))).toHaveLength(1);
  });

  it('an action changes the item for the office, is audited, and leaves the open list', async () => {
    await setUp([entry('a1', ds(), hoursAgo(2)), entry('a2', ds(), hoursAgo(3)), entry('only-read', ds(), hoursAgo(4), ['read'])]);
    const accepted = await act(admin, 'stub:check_in:a1', 'accept');
    expect(accepted.status).toBe(200);
    const row = await accepted.text();
    expect(row).toMatch(/^<li class="inbox-item done" data-key="stub:check_in:a1">/);
    expect(row).toContain('已通过');
    expect(row).toContain('district 用户');
    expect(await auditOf('stub:check_in:a1', 'review_accept')).toHaveLength(1);
    expect(keyOf(await (await admin.get('/review')).text())).not.toContain('stub:check_in:a1');
    expect(keyOf(await (await admin.get('/review?state=done')).text())).toEqual(['stub:check_in:a1']);
    // Shared within the office, not across offices: 东山's admins still have it to handle.
    expect(keyOf(await (await dongshanAdmin.get('/review')).text())).toContain('stub:check_in:a1');

    const commented = await act(dongshanAdmin, 'stub:check_in:a2', 'comment', '已电话联系');
    expect(await commented.text()).toContain('已电话联系');
    expect(await auditOf('stub:check_in:a2', 'review_comment')).toHaveLength(1);
    // A comment keeps the item open.
    expect(keyOf(await (await dongshanAdmin.get('/review')).text())).toContain('stub:check_in:a2');

    const empty = await act(dongshanAdmin, 'stub:check_in:a2', 'comment', '   ');
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('请先写批注内容');
    const long = await act(dongshanAdmin, 'stub:check_in:a2', 'comment', '长'.repeat(501));
    expect(long.status).toBe(422);
    expect(await long.text()).toContain('批注不能超过 500 字');
    expect(await auditOf('stub:check_in:a2', 'review_comment')).toHaveLength(1);
    const unsupported = await act(admin, 'stub:check_in:only-read', 'decline');
    expect(unsupported.status).toBe(422);
    expect(await auditOf('stub:check_in:only-read', 'review_decline')).toHaveLength(0);

    // Without htmx, back to the list.
    const plain = await admin.post('/review/act', { key: 'stub:check_in:only-read', action: 'read', back: '/review?age=today' });
    expect(plain.status).toBe(303);
    expect(plain.headers.get('location')).toBe('/review?age=today');
  });

  it('refuses an item outside the viewer\'s units as unknown, and changes nothing', async () => {
    await setUp([entry('o1', org(), hoursAgo(2))]);
    const res = await act(dongshanAdmin, 'stub:check_in:o1', 'read');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('未找到该事项');
    expect(await t.db.select().from(reviewMarks).where(eq(reviewMarks.itemKey, 'stub:check_in:o1'))).toHaveLength(0);
    expect(await auditOf('stub:check_in:o1', 'review_read')).toHaveLength(0);
    expect((await act(admin, 'stub:check_in:nobody', 'read')).status).toBe(404);
  });

  it('drops an item its feature handled elsewhere, and refuses acting on it', async () => {
    await setUp([entry('h1', ds(), hoursAgo(2)), entry('h2', ds(), hoursAgo(3))]);
    expect(keyOf(await (await admin.get('/review')).text())).toEqual(['stub:check_in:h1', 'stub:check_in:h2']);
    entries.splice(0, 1);
    expect(keyOf(await (await admin.get('/review')).text())).toEqual(['stub:check_in:h2']);
    expect((await act(admin, 'stub:check_in:h1', 'accept')).status).toBe(404);
  });

  it('still renders with the others when one feature\'s source fails, and says so', async () => {
    await setUp([entry('f1', ds(), hoursAgo(2))], [broken]);
    const res = await admin.get('/review');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(keyOf(html)).toEqual(['stub:check_in:f1']);
    expect(html).toContain('部分功能的事项暂时读取失败（坏掉的功能）');
    expect(panel.log.lines.some((l) => l.level === 'error' && (l.obj as { feature?: string }).feature === 'broken')).toBe(true);
    expect((await admin.get('/')).status).toBe(200);
  });

  it('lets a viewer read but not act', async () => {
    await setUp([entry('v1', ds(), hoursAgo(2))]);
    const html = await (await viewer.get('/review')).text();
    expect(keyOf(html)).toEqual(['stub:check_in:v1']);
    expect(html).toContain('只读账号');
    expect(html).not.toContain('data-action=');
    expect((await act(viewer, 'stub:check_in:v1', 'read')).status).toBe(403);
    expect(await t.db.select().from(reviewMarks).where(eq(reviewMarks.itemKey, 'stub:check_in:v1'))).toHaveLength(0);
  });

  it('shows the counts on the dashboard, linking into the inbox by feature', async () => {
    await setUp([entry('d1', ds(), hoursAgo(2)), entry('d2', org(), hoursAgo(2))]);
    const html = await (await dongshanAdmin.get('/')).text();
    expect(html).toMatch(/<a href="\/review\?feature=stub"[^>]*>结对记录<span class="count">1<\/span><\/a>/);
    expect(html).toMatch(/<a href="\/review\?feature=evaluation"[^>]*>民主测评<span class="count">\d+<\/span><\/a>/);
  });

  it('is in English for an English reader', async () => {
    await setUp([entry('e1', ds(), hoursAgo(2))]);
    admin.jar.set('lang', 'en');
    const html = await (await admin.get('/review')).text();
    expect(html).toContain('Mark read');
    expect(html).toContain('Check-ins');
    expect(html).not.toMatch(/审阅|标为已读|待处理/);
  });

  it('lists evaluation\'s flagged targets of closed campaigns, in scope, to be marked read', async () => {
    const { T1, T2, campaignId } = await buildResultsCampaign(t.db, { orgUnit, dongshan });
    await setUp([]);
    const keys = allKeys(await (await admin.get('/review?feature=evaluation')).text());
    expect(keys).toEqual(expect.arrayContaining([`evaluation:flagged:${campaignId}:${T1}`, `evaluation:flagged:${campaignId}:${T2}`]));
    const mine = await (await dongshanAdmin.get('/review?feature=evaluation')).text();
    expect(allKeys(mine)).toContain(`evaluation:flagged:${campaignId}:${T2}`);
    expect(allKeys(mine)).not.toContain(`evaluation:flagged:${campaignId}:${T1}`);
    expect(mine).toContain(`href="/evaluation/${campaignId}/results/${T2}"`);
    expect(mine).toContain('优秀和称职票 4/9（44.4%），低于 60%');

    const key = `evaluation:flagged:${campaignId}:${T2}`;
    const read = await act(dongshanAdmin, key, 'read');
    expect(read.status).toBe(200);
    expect(await read.text()).toContain('已读');
    expect(await auditOf(key, 'review_read')).toHaveLength(1);
    expect(allKeys(await (await dongshanAdmin.get('/review?feature=evaluation')).text())).not.toContain(key);
    // Evaluation's items allow no verdict.
    expect((await act(admin, key, 'accept')).status).toBe(422);
    // Worded in the reader's language; only what people typed (titles, names) stays Chinese.
    admin.jar.set('lang', 'en');
    const en = await (await admin.get('/review?feature=evaluation')).text();
    expect(en).toContain('Excellent and competent 4/9 (44.4%), below 60%');
    expect(en).toContain('Evaluation alert');
    expect(en).not.toContain('优秀和称职票');
  }, 120_000);

  it('lists a unit lagging in a campaign that closes soon, until its raters have voted', async () => {
    await ensureBuiltInTemplates(t.db);
    const templateVersionId = (await latestTemplateVersion(t.db, (await templateIdByKey(t.db, 'annual_assessment'))!))!.id;
    const leaders = await leadersOfUnits(t.db, [dongshan]);
    // The panel's clock reads 2026-11-25 09:00Z: this campaign closes within two days.
    const campaign = await createCampaign(t.db, { title: '2026年度述职测评', kind: 'annual', year: 2026, templateVersionId, unitIds: [dongshan], opensAt: new Date('2026-11-20T00:00:00Z'), closesAt: new Date('2026-11-26T09:00:00Z') }, null);
    await setTargets(t.db, campaign.id, leaders, null);
    const raters = await proposeRaters(t.db, campaign.id);
    await saveRaters(t.db, campaign.id, raters, null);
    await openCampaign(t.db, campaign.id, fixedClock('2026-11-20T01:00:00Z'), null);
    await setUp([]);
    const key = `evaluation:low_turnout:${campaign.id}:${dongshan}`;
    const html = await (await dongshanAdmin.get('/review?feature=evaluation')).text();
    expect(allKeys(html)).toContain(key);
    expect(html).toContain('2026年度述职测评：东山街道参评率 0%');

    // The unit's raters vote (in chat, on paper…): the item leaves the inbox by itself.
    const items = templateItems(ANNUAL_ASSESSMENT).map((i) => i.key);
    const clock = fixedClock('2026-11-25T08:00:00Z');
    const inDongshan = new Set((await t.db.select({ id: cadres.id }).from(cadres).where(eq(cadres.unitId, dongshan))).map((c) => c.id));
    for (const r of raters.filter((x) => inDongshan.has(x.cadreId))) {
      const answers = r.targetIds.map((targetId) => ({ targetId, levels: Object.fromEntries(items.map((k) => [k, 'good'])), grade: 'excellent' as const, comment: null }));
      expect((await castBallot(t.db, { campaignId: campaign.id, raterCadreId: r.cadreId, category: r.category, clock, sealKey: TEST_SEAL_KEY, answers })).outcome).toBe('accepted');
    }
    expect(allKeys(await (await dongshanAdmin.get('/review?feature=evaluation')).text())).not.toContain(key);
  }, 120_000);
});
