/**
 * A draft campaign's targets change in one step with its units and its raters' lists: a rater
 * never rates someone who is no longer a target, and a refused change leaves everything as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { seedDemo } from '../../core/demo.ts';
import { changeTargets, createCampaign, getCampaign, proposeRaters, saveRaters } from '../../core/evaluation/campaigns.ts';
import { campaignRaters, campaignTargets } from '../../core/evaluation/admin.ts';
import { ensureBuiltInTemplates, latestTemplateVersion, templateIdByKey } from '../../core/evaluation/templates.ts';
import { units } from '../../db/schema/org.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';

describe('changing a campaign\'s targets', () => {
  let t: TestDatabase;
  let campaignId: number;
  let unitIds: number[];
  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltInTemplates(t.db);
    unitIds = (await t.db.select({ id: units.id }).from(units).where(eq(units.kind, 'subdistrict')).limit(2)).map((u) => u.id);
    const versionId = (await latestTemplateVersion(t.db, (await templateIdByKey(t.db, 'political_quality'))!))!.id;
    campaignId = (await createCampaign(t.db, { title: '班子测评', kind: 'annual', year: 2026, templateVersionId: versionId, opensAt: new Date('2026-12-10T01:00:00Z'), closesAt: new Date('2026-12-20T10:00:00Z') }, null)).id;
  });
  afterAll(() => t.drop());

  it('takes the units\' leaders as targets and keeps the units with them', async () => {
    const n = await changeTargets(t.db, campaignId, { units: unitIds }, null);
    expect(n).toBeGreaterThan(1);
    expect((await campaignTargets(t.db, campaignId)).length).toBe(n);
    expect((await getCampaign(t.db, campaignId)).unitIds).toEqual(unitIds);
  });

  it('prunes the raters\' lists when a target is removed, in the same step', async () => {
    await saveRaters(t.db, campaignId, await proposeRaters(t.db, campaignId), null);
    const [gone] = await campaignTargets(t.db, campaignId);
    expect((await campaignRaters(t.db, campaignId)).some((r) => r.targetIds.includes(gone!.id))).toBe(true);
    await changeTargets(t.db, campaignId, { remove: gone!.id }, null);
    const raters = await campaignRaters(t.db, campaignId);
    expect(raters.some((r) => r.targetIds.includes(gone!.id))).toBe(false);
    expect(raters.every((r) => r.targetIds.length > 0)).toBe(true);
  });

  it('leaves targets and raters as they were when a change is refused', async () => {
    const before = { targets: await campaignTargets(t.db, campaignId), raters: await campaignRaters(t.db, campaignId) };
    await expect(changeTargets(t.db, campaignId, { add: 99_999_999 }, null)).rejects.toMatchObject({ code: 'invalid_targets' });
    expect(await campaignTargets(t.db, campaignId)).toEqual(before.targets);
    expect(await campaignRaters(t.db, campaignId)).toEqual(before.raters);
  });
});
