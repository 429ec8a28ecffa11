/**
 * Campaigns are scoped like cadres: a unit admin or a viewer of 东山街道 (A) sees the
 * campaigns that concern A, and 西河街道's (B) campaigns read as absent everywhere: not in the
 * list, not in template usage, not on the dashboard, and their campaign, turnout, results,
 * export and print pages answer 404. A district admin still sees everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { fixedClock } from '../../core/clock.ts';
import { seedDemo } from '../../core/demo.ts';
import { closeCampaign, createCampaign, leadersOfUnits, openCampaign, proposeRaters, saveRaters, setTargets } from '../../core/evaluation/campaigns.ts';
import { ensureBuiltInTemplates, latestTemplateVersion, templateIdByKey } from '../../core/evaluation/templates.ts';
import { units } from '../../db/schema/org.ts';
import { evaluationReviewSource } from '../../web/pages/evaluation/review.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel, TEST_SEAL_KEY } from '../helpers/panel.ts';

describe('campaign scope', () => {
  let t: TestDatabase;
  let admin: ReturnType<typeof browser>;
  let unitAdmin: ReturnType<typeof browser>;
  let viewer: ReturnType<typeof browser>;
  let dongshan: number;
  let xihe: number;
  let ownOpen: number;
  let otherOpen: number;
  let otherClosed: number;
  let otherTarget: number;
  // The panel's clock: B's and A's open campaigns close within two days with nobody voted.
  const clock = fixedClock('2026-11-25T09:00:00Z');

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltInTemplates(t.db);
    dongshan = (await t.db.select().from(units).where(eq(units.name, '东山街道')))[0]!.id;
    xihe = (await t.db.select().from(units).where(eq(units.name, '西河街道')))[0]!.id;
    const templateVersionId = (await latestTemplateVersion(t.db, (await templateIdByKey(t.db, 'annual_assessment'))!))!.id;
    const campaign = async (title: string, unitId: number, window: { opensAt: string; closesAt: string }) => {
      const c = await createCampaign(t.db, { title, kind: 'annual', year: 2026, templateVersionId, unitIds: [unitId], opensAt: new Date(window.opensAt), closesAt: new Date(window.closesAt) }, null);
      await setTargets(t.db, c.id, await leadersOfUnits(t.db, [unitId]), null);
      await saveRaters(t.db, c.id, await proposeRaters(t.db, c.id), null);
      return c.id;
    };
    const soon = { opensAt: '2026-11-20T00:00:00Z', closesAt: '2026-11-26T10:00:00Z' };
    ownOpen = await campaign('东山街道班子测评', dongshan, soon);
    otherOpen = await campaign('西河街道班子测评', xihe, soon);
    otherClosed = await campaign('西河街道去年测评', xihe, { opensAt: '2026-01-05T00:00:00Z', closesAt: '2026-01-10T00:00:00Z' });
    for (const id of [ownOpen, otherOpen]) await openCampaign(t.db, id, clock, null);
    await openCampaign(t.db, otherClosed, fixedClock('2026-01-06T00:00:00Z'), null);
    await closeCampaign(t.db, otherClosed, fixedClock('2026-01-11T00:00:00Z'), null, TEST_SEAL_KEY);
    otherTarget = (await leadersOfUnits(t.db, [xihe]))[0]!;

    await addUser(t.db, 'district', 'district_admin');
    await addUser(t.db, 'dongshan', 'unit_admin', { unitId: dongshan });
    await addUser(t.db, 'reader', 'viewer', { unitId: dongshan });
    const panel = buildPanel(t.db, { clock, timeZone: 'Asia/Shanghai', review: [evaluationReviewSource({ db: t.db, clock })] });
    admin = browser(panel.app, '10.6.0.1');
    unitAdmin = browser(panel.app, '10.6.0.2');
    viewer = browser(panel.app, '10.6.0.3');
    await admin.signIn('district');
    await unitAdmin.signIn('dongshan');
    await viewer.signIn('reader');
  });
  afterAll(() => t.drop());

  const otherPages = () => [
    `/evaluation/${otherOpen}`,
    `/evaluation/${otherOpen}/turnout`,
    `/evaluation/${otherClosed}`,
    `/evaluation/${otherClosed}/results`,
    `/evaluation/${otherClosed}/results/export.xlsx`,
    `/evaluation/${otherClosed}/results/unit/${xihe}`,
    `/evaluation/${otherClosed}/results/unit/${xihe}/print`,
    `/evaluation/${otherClosed}/results/${otherTarget}`,
    `/evaluation/${otherClosed}/results/${otherTarget}/print`,
  ];

  it('answers 404 on another unit\'s campaign, turnout, results, export and print pages', async () => {
    for (const client of [unitAdmin, viewer]) {
      for (const path of otherPages()) {
        const res = await client.get(path);
        expect(res.status, path).toBe(404);
        expect(await res.text(), path).not.toContain('西河街道');
      }
    }
    // The same answer as for a campaign that does not exist.
    expect((await unitAdmin.get('/evaluation/999999')).status).toBe(404);
    // Their own campaign opens as before; a district admin opens every one.
    expect((await unitAdmin.get(`/evaluation/${ownOpen}`)).status).toBe(200);
    expect((await viewer.get(`/evaluation/${ownOpen}/turnout`)).status).toBe(200);
    for (const path of otherPages()) expect((await admin.get(path)).status, path).toBe(200);
  });

  it('leaves another unit\'s campaigns out of the list and the template usage', async () => {
    for (const client of [unitAdmin, viewer]) {
      const list = await (await client.get('/evaluation')).text();
      expect(list).toContain('东山街道班子测评');
      expect(list).not.toContain('西河街道');
      expect(list).not.toContain(`/evaluation/${otherOpen}"`);
      const templates = await (await client.get('/evaluation/templates')).text();
      expect(templates).toContain('东山街道班子测评');
      expect(templates).not.toContain('西河街道');
    }
    const all = await (await admin.get('/evaluation')).text();
    expect(all).toContain('西河街道班子测评');
    expect(all).toContain('西河街道去年测评');
    expect(await (await admin.get('/evaluation/templates')).text()).toContain('西河街道班子测评');
  });

  it('keeps the dashboard\'s review list to the viewer\'s scope', async () => {
    const theirs = await (await unitAdmin.get('/')).text();
    expect(theirs).toContain(`href="/evaluation/${ownOpen}"`);
    expect(theirs).toContain('东山街道班子测评');
    expect(theirs).not.toContain(`href="/evaluation/${otherOpen}"`);
    expect(theirs).not.toContain('西河街道');
    const district = await (await admin.get('/')).text();
    expect(district).toContain(`href="/evaluation/${ownOpen}"`);
    expect(district).toContain(`href="/evaluation/${otherOpen}"`);
  });

  it('names no other unit\'s campaign in the comparison over years', async () => {
    const theirs = await (await unitAdmin.get('/evaluation/compare?kind=annual')).text();
    expect(theirs).not.toContain('西河街道去年测评');
    expect(theirs).not.toContain(`/evaluation/${otherClosed}/results`);
    expect(await (await admin.get('/evaluation/compare?kind=annual')).text()).toContain(`/evaluation/${otherClosed}/results`);
  });
});
