/**
 * Pairs in core: a unit admin of 东山街道 creates and edits only pairs that touch their units,
 * never adds a cadre of 西河街道, and every change is in the audit log; the due day read back
 * from the database moves with a pause.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { seedDemo } from '../../core/demo.ts';
import { scopeOf, type RequestContext } from '../../core/org/scope.ts';
import { createPair, pairInput, updatePair, type PairInput } from '../../core/mentorship/pairs.ts';
import { pairSummaries } from '../../core/mentorship/summaries.ts';
import { loadWorkCalendar, ensureBuiltinCalendar } from '../../core/reminders/store.ts';
import { auditLog } from '../../db/schema/audit.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { mentorshipCheckins } from '../../db/schema/mentorship.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser } from '../helpers/panel.ts';

describe('mentorship pairs in core', () => {
  let t: TestDatabase;
  let district: RequestContext;
  let dongshanAdmin: RequestContext;
  let viewer: RequestContext;
  let ds: number[];
  let xh: number[];

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltinCalendar(t.db);
    const unitId = async (name: string) => (await t.db.select().from(units).where(eq(units.name, name)))[0]!.id;
    const dongshan = await unitId('东山街道');
    const xihe = await unitId('西河街道');
    ds = (await t.db.select({ id: cadres.id }).from(cadres).where(eq(cadres.unitId, dongshan))).map((r) => r.id);
    xh = (await t.db.select({ id: cadres.id }).from(cadres).where(eq(cadres.unitId, xihe))).map((r) => r.id);
    const ctx = async (user: Awaited<ReturnType<typeof addUser>>): Promise<RequestContext> => ({ actor: user, scope: await scopeOf(t.db, user), ip: null });
    district = await ctx(await addUser(t.db, 'district', 'district_admin'));
    dongshanAdmin = await ctx(await addUser(t.db, 'dongshan', 'unit_admin', { unitId: dongshan }));
    viewer = await ctx(await addUser(t.db, 'reader', 'viewer', { unitId: dongshan }));
  });
  afterAll(() => t.drop());

  const input = (over: Partial<PairInput> = {}): PairInput => ({
    mentorIds: [ds[0]!],
    menteeIds: [ds[1]!],
    startsOn: '2026-03-02',
    cadence: 'fortnightly',
    status: 'active',
    pauseReason: null,
    goals: [{ title: '熟悉信访工作流程', status: 'open' }],
    ...over,
  });

  it('creates a two-mentor pair as "many to one", audited', async () => {
    const made = await createPair(t.db, dongshanAdmin, input({ mentorIds: [ds[2]!, ds[3]!] }), '2026-03-02');
    expect(made.ok).toBe(true);
    const id = (made as { id: number }).id;
    const [summary] = await pairSummaries(t.db, dongshanAdmin.scope, { today: '2026-03-03', calendar: await loadWorkCalendar(t.db), timeZone: 'Asia/Shanghai', pairIds: [id] });
    expect(summary!.shape).toBe('many_to_one');
    expect(summary!.mentors.map((m) => m.cadreId)).toEqual([ds[2], ds[3]]);
    expect(summary!.nextDue).toBe('2026-03-16');
    const rows = await t.db.select().from(auditLog).where(and(eq(auditLog.entity, 'mentorship_pair'), eq(auditLog.entityId, String(id))));
    expect(rows.map((r) => [r.action, r.actorId])).toEqual([['create', dongshanAdmin.actor.id]]);
  });

  it('refuses several mentors with several mentees, one cadre on both sides, and a pause without a reason', async () => {
    const bad = await createPair(t.db, district, input({ mentorIds: [ds[0]!, ds[2]!], menteeIds: [ds[1]!, ds[3]!] }), '2026-03-02');
    expect(bad).toEqual({ ok: false, errors: { menteeIds: 'many_to_many' } });
    expect(await createPair(t.db, district, input({ menteeIds: [ds[0]!] }), '2026-03-02')).toEqual({ ok: false, errors: { menteeIds: 'both_sides' } });
    expect(await createPair(t.db, district, input({ status: 'paused' }), '2026-03-02')).toEqual({ ok: false, errors: { pauseReason: 'required' } });
  });

  it('lets a unit admin add no cadre of another unit, and shows them neither that pair nor its edit', async () => {
    expect(await createPair(t.db, dongshanAdmin, input({ menteeIds: [xh[0]!] }), '2026-03-02')).toEqual({ ok: false, errors: { menteeIds: 'unknown_cadre' } });
    const other = await createPair(t.db, district, input({ mentorIds: [xh[0]!], menteeIds: [xh[1]!] }), '2026-03-02');
    const otherId = (other as { id: number }).id;
    const calendar = await loadWorkCalendar(t.db);
    const seen = await pairSummaries(t.db, dongshanAdmin.scope, { today: '2026-03-03', calendar, timeZone: 'Asia/Shanghai' });
    expect(seen.map((p) => p.id)).not.toContain(otherId);
    expect(await updatePair(t.db, dongshanAdmin, otherId, input(), '2026-03-03')).toEqual({ ok: false, notFound: true });
    expect((await pairInput(t.db, otherId))!.mentorIds).toEqual([xh[0]]);
    // A pair that touches both units is the unit admin's too; its 西河 mentor may stay.
    const shared = (await createPair(t.db, district, input({ mentorIds: [xh[2]!], menteeIds: [ds[4]!] }), '2026-03-02')) as { id: number };
    expect(await updatePair(t.db, dongshanAdmin, shared.id, input({ mentorIds: [xh[2]!], menteeIds: [ds[4]!], cadence: 'monthly' }), '2026-03-03')).toEqual({ ok: true, id: shared.id });
  });

  it('refuses a viewer any change', async () => {
    expect(await createPair(t.db, viewer, input(), '2026-03-02')).toEqual({ ok: false, notFound: true });
  });

  it('pauses a pair (not due), resumes it with the due day moved by the days paused, and audits both', async () => {
    const { id } = (await createPair(t.db, district, input({ mentorIds: [ds[5]!], menteeIds: [ds[6]!] }), '2026-03-02')) as { id: number };
    const calendar = await loadWorkCalendar(t.db);
    const due = async (today: string) => (await pairSummaries(t.db, district.scope, { today, calendar, timeZone: 'Asia/Shanghai', pairIds: [id] }))[0]!;
    expect(await updatePair(t.db, district, id, input({ mentorIds: [ds[5]!], menteeIds: [ds[6]!], status: 'paused', pauseReason: '导师外出培训' }), '2026-03-05')).toEqual({ ok: true, id });
    expect((await due('2026-03-20')).nextDue).toBeNull();
    await updatePair(t.db, district, id, input({ mentorIds: [ds[5]!], menteeIds: [ds[6]!] }), '2026-03-12');
    const resumed = await due('2026-03-13');
    expect(resumed.status).toBe('active');
    expect(resumed.nextDue).toBe('2026-03-23');
    const actions = await t.db.select({ action: auditLog.action, diff: auditLog.diff }).from(auditLog).where(and(eq(auditLog.entity, 'mentorship_pair'), eq(auditLog.entityId, String(id))));
    expect(actions.map((a) => a.action)).toEqual(['create', 'update', 'update']);
    expect(actions[1]!.diff).toMatchObject({ status: ['active', 'paused'], pauseReason: [null, '导师外出培训'] });
  });

  it('counts only confirmed check-ins, from the day they met', async () => {
    const { id } = (await createPair(t.db, district, input({ mentorIds: [ds[7]!], menteeIds: [ds[8]!], cadence: 'monthly' }), '2026-03-02')) as { id: number };
    await t.db.insert(mentorshipCheckins).values([
      { pairId: id, mentorId: ds[7]!, metOn: '2026-03-10', form: 'face_to_face', topics: '信访接待', status: 'confirmed', createdAt: new Date('2026-03-18T02:00:00Z') },
      { pairId: id, mentorId: ds[7]!, metOn: '2026-03-25', form: 'online', topics: '材料写作', status: 'disputed' },
    ]);
    const [s] = await pairSummaries(t.db, district.scope, { today: '2026-04-01', calendar: await loadWorkCalendar(t.db), timeZone: 'Asia/Shanghai', pairIds: [id] });
    expect(s!.lastConfirmedOn).toBe('2026-03-10');
    expect(s!.confirmedCount).toBe(1);
    expect(s!.nextDue).toBe('2026-04-10');
  });
});
