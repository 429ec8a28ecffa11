/**
 * A campaign opened after its day's reminder slot has passed: the invitation goes, and the
 * reminder sweep a second later sends nothing; the first reminder is the next day's slot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { fixedClock } from '../../core/clock.ts';
import { seedDemo } from '../../core/demo.ts';
import { createCampaign, leadersOfUnits, openCampaign, proposeRaters, saveRaters, setTargets } from '../../core/evaluation/campaigns.ts';
import { sealKeyFrom } from '../../core/evaluation/seal.ts';
import { DEFAULT_REMINDER_PLAN } from '../../core/evaluation/reminders.ts';
import { ensureBuiltInTemplates, latestTemplateVersion, templateIdByKey } from '../../core/evaluation/templates.ts';
import { sendInvitations, sweepReminders, PURPOSE, type EvaluationJobDeps } from '../../jobs/workers/evaluation.ts';
import { outbox } from '../../db/schema/lark.ts';
import { units } from '../../db/schema/org.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { memoryLogger } from '../helpers/log.ts';

const TZ = 'Asia/Shanghai';
const local = (iso: string) => new Date(`${iso}+08:00`);

describe('reminders after a late opening', () => {
  let t: TestDatabase;
  let deps: EvaluationJobDeps;
  let campaignId: number;
  const clock = fixedClock(local('2026-12-01T11:00:00'));

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltInTemplates(t.db);
    deps = { db: t.db, clock, timeZone: TZ, sealKey: sealKeyFrom('test-secret'), publicUrl: 'https://miaopu.test', flushOutbox: async () => {}, log: memoryLogger() };
    const [org] = await t.db.select().from(units).where(eq(units.name, '区委组织部'));
    const versionId = (await latestTemplateVersion(t.db, (await templateIdByKey(t.db, 'annual_assessment'))!))!.id;
    // The window opened at 08:00; the daily slot is 10:00; the department opens it at 11:00.
    const campaign = await createCampaign(
      t.db,
      { title: '迟开的测评', kind: 'annual', year: 2026, templateVersionId: versionId, opensAt: local('2026-12-01T08:00:00'), closesAt: local('2026-12-05T18:00:00'), unitIds: [org!.id], reminderPlan: { ...DEFAULT_REMINDER_PLAN, dailyAt: '10:00' } },
      null,
    );
    campaignId = campaign.id;
    await setTargets(t.db, campaignId, await leadersOfUnits(t.db, [org!.id]), null);
    await saveRaters(t.db, campaignId, await proposeRaters(t.db, campaignId), null);
    await openCampaign(t.db, campaignId, clock, null);
  });
  afterAll(() => t.drop());

  const count = async (purpose: string) => (await t.db.select().from(outbox).where(eq(outbox.purpose, purpose))).length;

  it('sends the invitation, then no reminder a second later, then the next day\'s', async () => {
    const invited = await sendInvitations(deps, campaignId);
    expect(invited).toBeGreaterThan(0);
    clock.set(local('2026-12-01T11:00:01'));
    expect(await sweepReminders(deps)).toEqual({ invitations: 0, reminders: 0, digests: 0, held: 0 });
    clock.set(local('2026-12-01T16:00:00'));
    expect((await sweepReminders(deps)).reminders).toBe(0);
    expect(await count(PURPOSE.reminder)).toBe(0);

    clock.set(local('2026-12-02T10:05:00'));
    expect((await sweepReminders(deps)).reminders).toBe(invited);
    const [reminder] = await t.db.select().from(outbox).where(eq(outbox.purpose, PURPOSE.reminder)).limit(1);
    expect(reminder!.dedupeKey).toMatch(/:daily:2026-12-02$/);
  });
});
