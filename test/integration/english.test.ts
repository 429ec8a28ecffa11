/**
 * The English panel shows Chinese only in data: on a district whose own data is in Latin
 * letters, every page a district admin or a unit admin reaches, and the errors their bad input
 * gets, read in English. What stays Chinese: the language switch (中文) and the two built-in
 * questionnaires, whose names, dimensions, items and levels are the department's own wording.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { fixedClock } from '../../core/clock.ts';
import { castBallot, type TargetAnswers } from '../../core/evaluation/ballots.ts';
import { closeCampaign, createCampaign, openCampaign, proposeRaters, saveRaters, setTargets, type RaterAssignment } from '../../core/evaluation/campaigns.ts';
import { BUILT_IN_TEMPLATES, ensureBuiltInTemplates, latestTemplateVersion, templateIdByKey, templateItems } from '../../core/evaluation/templates.ts';
import { PAPER_COLUMNS } from '../../core/evaluation/paper.ts';
import { CATEGORY_LABELS } from '../../core/evaluation/scoring.ts';
import { addAbsence, replaceCalendarYear } from '../../core/reminders/store.ts';
import { ROSTER_COLUMNS } from '../../core/roster.ts';
import type { OverallGrade } from '../../db/schema/evaluation.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { panelUsers } from '../../db/schema/users.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel, TEST_SEAL_KEY } from '../helpers/panel.ts';

/** Chinese characters and punctuation; the ideographic space indents and is not read. */
const CJK = /[\u3400-\u9fff\uf900-\ufaff\u3001-\u303f\uff00-\uffef]/;

/** Chinese by nature: the language switch and the built-in questionnaires' own words. */
const ALLOWED = [
  '中文',
  ...Object.values(BUILT_IN_TEMPLATES).flatMap((def) => [def.name, ...def.scale.map((l) => l.label), ...def.dimensions.flatMap((d) => [d.label, ...d.items.map((i) => i.label)])]),
].sort((a, b) => b.length - a.length);

function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/gi, ' ')
    .replace(/<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&(amp|lt|gt|quot|apos);/g, ' ');
}

/**
 * The import files' own headings and tokens (the roster, the scanner's paper ballots, the work
 * calendar): a page that explains or checks such a file names them as they must be written.
 */
const FILE_WORDS = [
  ...ROSTER_COLUMNS.map(([heading]) => heading),
  ...PAPER_COLUMNS.required,
  PAPER_COLUMNS.grade,
  PAPER_COLUMNS.comment,
  PAPER_COLUMNS.code,
  ...Object.values(CATEGORY_LABELS),
  '男',
  '女',
  '休',
  '班',
].sort((a, b) => b.length - a.length);

/** The Chinese left on a page once the allowed words are taken out, with some context. */
function chineseOn(html: string, fileWords = false): string[] {
  let text = visibleText(html);
  for (const word of [...ALLOWED, ...(fileWords ? FILE_WORDS : [])]) text = text.split(word).join(' ');
  const leaks: string[] = [];
  for (const m of text.matchAll(new RegExp(`.{0,30}${CJK.source}+.{0,30}`, 'g'))) leaks.push(m[0].replace(/\s+/g, ' ').trim());
  return leaks;
}

const ITEMS = templateItems(BUILT_IN_TEMPLATES.annual_assessment!).map((i) => i.key);
const answersFor = (ids: number[], level: (id: number) => string, grade: OverallGrade, comment?: string): TargetAnswers[] =>
  ids.map((targetId) => ({ targetId, levels: Object.fromEntries(ITEMS.map((k) => [k, level(targetId)])), grade, comment: comment ?? null }));

describe('the panel in English', () => {
  let t: TestDatabase;
  let panel: ReturnType<typeof buildPanel>;
  const ids = {} as { district: number; eastgate: number; harbor: number; closed: number; open: number; draft: number; target: number; templateId: number; userId: number };

  beforeAll(async () => {
    t = await testDatabase();
    const db = t.db;
    const unit = async (name: string, kind: 'district' | 'subdistrict' | 'park', parentId: number | null) => (await db.insert(units).values({ name, kind, parentId }).returning())[0]!.id;
    ids.district = await unit('Riverside District', 'district', null);
    ids.eastgate = await unit('Eastgate Subdistrict', 'subdistrict', ids.district);
    ids.harbor = await unit('Harbor Park', 'park', ids.district);
    let n = 0;
    const people = async (unitId: number, leaders: number, staff: number) => {
      for (let i = 0; i < leaders + staff; i++) {
        n++;
        await db.insert(cadres).values({
          name: `Person ${String.fromCharCode(64 + (n % 26) + 1)}${n}`,
          gender: n % 2 ? 'male' : 'female',
          birthDate: `${1970 + (n % 25)}-03-0${1 + (n % 8)}`,
          unitId,
          position: i < leaders ? 'Director' : 'Clerk',
          rank: i < leaders ? 'Section chief' : 'Staff member',
          isLeader: i < leaders,
          isPrincipal: i === 0,
          education: 'Master',
          field: 'Urban planning',
          tags: ['young talent'],
          employeeNo: `E${1000 + n}`,
          status: i === leaders + staff - 1 ? 'on_leave' : 'active',
        });
      }
    };
    await people(ids.district, 4, 2);
    await people(ids.eastgate, 4, 5);
    await people(ids.harbor, 3, 4);

    const admin = await addUser(db, 'ada', 'district_admin');
    const eastAdmin = await addUser(db, 'eve', 'unit_admin', { unitId: ids.eastgate });
    await db.update(panelUsers).set({ displayName: 'Ada Admin' }).where(eq(panelUsers.id, admin.id));
    await db.update(panelUsers).set({ displayName: 'Eve Eastgate' }).where(eq(panelUsers.id, eastAdmin.id));
    ids.userId = eastAdmin.id;
    const ctx = { actor: admin, scope: { kind: 'all' as const }, ip: null };

    await ensureBuiltInTemplates(db);
    ids.templateId = (await templateIdByKey(db, 'annual_assessment'))!;
    const templateVersionId = (await latestTemplateVersion(db, ids.templateId))!.id;

    // Closed, with results: Eastgate's leaders, an alert and a flag on the first of them.
    const closed = await createCampaign(db, { title: 'Annual review 2026', kind: 'annual', year: 2026, templateVersionId, unitIds: [ids.eastgate], opensAt: new Date('2026-11-01T00:00:00Z'), closesAt: new Date('2026-11-10T00:00:00Z') }, admin.id);
    ids.closed = closed.id;
    const leaders = (await db.select().from(cadres).where(eq(cadres.unitId, ids.eastgate))).filter((c) => c.isLeader).map((c) => c.id);
    ids.target = leaders[0]!;
    await setTargets(db, closed.id, leaders, admin.id);
    const proposal: RaterAssignment[] = await proposeRaters(db, closed.id);
    await saveRaters(db, closed.id, proposal, admin.id);
    const at = fixedClock('2026-11-02T02:00:00Z');
    await openCampaign(db, closed.id, at, admin.id);
    for (const p of proposal) {
      const low = p.category === 'subordinate';
      const r = await castBallot(db, {
        campaignId: closed.id,
        raterCadreId: p.cadreId,
        category: p.category,
        clock: at,
        sealKey: TEST_SEAL_KEY,
        answers: answersFor(p.targetIds, (id) => (id === ids.target ? (low ? 'poor' : 'good') : 'fairly_good'), low ? 'incompetent' : 'competent', 'Works hard'),
      });
      if (r.outcome !== 'accepted') throw new Error(`ballot ${r.outcome}`);
    }
    await closeCampaign(db, closed.id, fixedClock('2026-11-10T00:00:01Z'), admin.id, TEST_SEAL_KEY);

    // Open, with targets and raters: Harbor Park.
    const open = await createCampaign(db, { title: 'Harbor check', kind: 'special', year: 2026, templateVersionId, unitIds: [ids.harbor], opensAt: new Date('2026-11-20T00:00:00Z'), closesAt: new Date('2026-11-26T00:00:00Z') }, admin.id);
    ids.open = open.id;
    await setTargets(db, open.id, (await db.select().from(cadres).where(eq(cadres.unitId, ids.harbor))).filter((c) => c.isLeader).map((c) => c.id), admin.id);
    await saveRaters(db, open.id, await proposeRaters(db, open.id), admin.id);
    await openCampaign(db, open.id, fixedClock('2026-11-20T01:00:00Z'), admin.id);

    const draft = await createCampaign(db, { title: 'Spring draft', kind: 'annual', year: 2027, templateVersionId, unitIds: [ids.eastgate], opensAt: new Date('2027-03-01T00:00:00Z'), closesAt: new Date('2027-03-10T00:00:00Z') }, admin.id);
    ids.draft = draft.id;

    await addAbsence(db, ctx, { cadreId: ids.target, startsOn: '2026-11-20', endsOn: '2026-11-30', kind: 'training', note: 'Party school' });
    await replaceCalendarYear(db, ctx, 2026, [
      { date: '2026-10-01', kind: 'holiday', name: 'National Day' },
      { date: '2026-10-10', kind: 'workday', name: 'National Day' },
    ], 'panel');

    panel = buildPanel(db);
  }, 60_000);

  afterAll(async () => {
    await t?.drop();
  });

  async function english(username: string) {
    const b = browser(panel.app);
    await b.signIn(username);
    await b.get('/lang/en?next=/');
    expect(b.jar.get('lang')).toBe('en');
    return b;
  }

  /** The error pages answer 404; the rest open, or for a unit admin may be refused (403, or 404 outside their units). */
  const expectedStatus = (path: string, status: number, refusals: boolean) =>
    path === '/no-such-page' || path === '/cadres/999999' ? status === 404 : status === 200 || (refusals && (status === 403 || status === 404));

  /** Opens each page and gathers its Chinese, by path. */
  async function walk(b: ReturnType<typeof browser>, paths: string[], refusals = false): Promise<Record<string, string[]>> {
    const found: Record<string, string[]> = {};
    for (const path of paths) {
      const res = await b.get(path);
      const html = await res.text();
      if (!expectedStatus(path, res.status, refusals)) found[path] = [`status ${res.status}`];
      const leaks = chineseOn(html, FILE_PAGES.some((p) => p.test(path)));
      if (leaks.length) found[path] = leaks;
    }
    return found;
  }

  /** Every link in the menu of the dashboard. */
  async function menuOf(b: ReturnType<typeof browser>): Promise<string[]> {
    const html = await (await b.get('/')).text();
    const nav = html.slice(html.indexOf('<nav'), html.indexOf('</nav>'));
    // The chat simulator is mounted by main.ts in the sandbox, not by the test panel.
    return [...new Set([...nav.matchAll(/href="(\/[^"#]*)"/g)].map((m) => m[1]!))].filter((p) => !p.startsWith('/lang/') && !p.startsWith('/sandbox'));
  }

  /** Pages that explain an import file: the roster import, the calendar, a campaign's paper ballots. */
  const FILE_PAGES = [/^\/import/, /^\/calendar/, /^\/evaluation\/\d+$/];

  const detailPages = () => [
    '/',
    `/cadres?q=Person`,
    `/cadres/${ids.target}`,
    `/cadres/${ids.target}/edit`,
    '/units',
    '/evaluation',
    '/evaluation/new',
    `/evaluation/${ids.closed}`,
    `/evaluation/${ids.open}`,
    `/evaluation/${ids.open}/turnout`,
    `/evaluation/${ids.draft}`,
    `/evaluation/${ids.closed}/results`,
    `/evaluation/${ids.closed}/results?alerts=1`,
    `/evaluation/${ids.closed}/results/${ids.target}`,
    `/evaluation/${ids.closed}/results/${ids.target}/print`,
    `/evaluation/${ids.closed}/results/unit/${ids.eastgate}`,
    `/evaluation/${ids.closed}/results/unit/${ids.eastgate}/print`,
    `/evaluation/compare?cadreId=${ids.target}`,
    '/calendar',
    '/calendar?year=2027',
    '/import',
    '/cadres/999999',
    '/no-such-page',
  ];

  it('shows a district admin every page in English', async () => {
    const b = await english('ada');
    const menu = await menuOf(b);
    expect(menu).toEqual(expect.arrayContaining(['/cadres', '/units', '/evaluation', '/audit', '/users', '/jobs', '/calendar', '/import']));
    const found = await walk(b, [
      ...menu,
      ...detailPages(),
      '/evaluation/templates',
      '/evaluation/templates/new',
      `/evaluation/templates/${ids.templateId}`,
      '/audit',
      `/users`,
      '/jobs',
    ]);
    expect(found).toEqual({});
  });

  it('shows a unit admin every page in English, the forbidden ones too', async () => {
    const b = await english('eve');
    const menu = await menuOf(b);
    expect(menu).toContain('/evaluation');
    const found = await walk(b, [...menu, ...detailPages(), '/users', '/audit', '/evaluation/templates/new', `/cadres/${(await t.db.select().from(cadres).where(eq(cadres.unitId, ids.harbor)))[0]!.id}`], true);
    expect(found).toEqual({});
  });

  it('names the sheets and columns of the exports in English', async () => {
    const b = await english('ada');
    const found: Record<string, string[]> = {};
    for (const path of [`/evaluation/${ids.closed}/results/export.xlsx`, '/cadres/export.xlsx']) {
      const res = await b.get(path);
      expect(res.status, path).toBe(200);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(await res.arrayBuffer());
      const words: string[] = [];
      for (const sheet of book.worksheets) {
        words.push(sheet.name);
        // The header rows: what the export itself says, not the data under it.
        for (const n of [1, 2]) sheet.getRow(n).eachCell((cell) => words.push(String(cell.value ?? '')));
      }
      const leaks = chineseOn(words.join(' | '));
      if (leaks.length) found[path] = leaks;
    }
    expect(found).toEqual({});
  });

  it('words the errors of bad input in English', async () => {
    const b = await english('ada');
    const hx = { 'HX-Request': 'true' };
    const answers: Record<string, string> = {};
    const post = async (label: string, path: string, form: Record<string, string> | FormData) => {
      const res = await b.post(path, form, hx);
      const html = await res.text();
      if (res.status !== 422 && res.status !== 200) answers[label] = `status ${res.status}`;
      const leaks = chineseOn(html, form instanceof FormData);
      if (leaks.length) answers[label] = leaks.join(' | ');
    };
    await post('unit', '/units', { name: '', kind: 'park', parentId: String(ids.district) });
    await post('cadre', `/cadres/${ids.target}`, { name: '', gender: 'x', birthDate: '1990-02-31', unitId: String(ids.eastgate), position: '', rank: '' });
    await post('campaign', '/evaluation', { title: '', kind: 'annual', year: '1900', templateVersionId: '0', opensAt: '2026-12-10T10:00', closesAt: '2026-12-01T10:00', unitIds: String(ids.eastgate) });
    await post('campaign targets', `/evaluation/${ids.draft}/targets/add`, { q: 'Nobody at all' });
    await post('open a campaign without raters', `/evaluation/${ids.draft}/open`, {});
    await post('template', '/evaluation/templates', { name: '', scale: '[]', dimensions: '[]' });
    await post('calendar day', '/calendar/days', { date: '2026-02-30', kind: 'holiday', name: '' });
    await post('absence', `/cadres/${ids.target}/absences`, { startsOn: '2026-12-10', endsOn: '2026-12-01', kind: 'leave' });
    await post('user', '/users', { username: '', displayName: '', role: 'unit_admin', unitId: 'x' });
    const roster = new FormData();
    roster.set('file', new File(['姓名,性别,出生日期,单位\nNobody,x,1990-02-31,Nowhere\n'], 'roster.csv', { type: 'text/csv' }));
    await post('roster', '/import/preview', roster);
    const calendar = new FormData();
    calendar.set('file', new File(['date,kind,name\n2026-02-30,holiday,Broken\n'], '2026.csv', { type: 'text/csv' }));
    await post('calendar import', '/calendar/import', calendar);
    const paper = new FormData();
    paper.set('file', new File(['nonsense'], 'paper.csv', { type: 'text/csv' }));
    await post('paper', `/evaluation/${ids.open}/paper`, paper);
    expect(answers).toEqual({});
  });
});
