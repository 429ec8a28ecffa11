import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../db/schema/audit.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { workCalendarDays } from '../../db/schema/reminders.ts';
import { outbox } from '../../db/schema/lark.ts';
import { seedDemo } from '../../core/demo.ts';
import { scopeOf } from '../../core/org/scope.ts';
import { addToOutbox } from '../../core/outbox.ts';
import {
  absencesByCadre,
  absencesOf,
  addAbsence,
  calendarYears,
  ensureBuiltinCalendar,
  loadWorkCalendar,
  removeAbsence,
  replaceCalendarYear,
  sentTodayCounts,
} from '../../core/reminders/store.ts';
import { planSweep } from '../../core/reminders/sweep.ts';
import { fixedClock } from '../../core/clock.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser } from '../helpers/panel.ts';

describe('reminder engine store', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
  });
  afterAll(() => t.drop());

  async function districtCtx() {
    const user = await addUser(t.db, `d${Math.random().toString(36).slice(2, 8)}`, 'district_admin');
    return { actor: user, scope: await scopeOf(t.db, user), ip: '10.0.0.9' };
  }

  it('ships 2026 once and leaves an edited year alone on the next boot', async () => {
    await ensureBuiltinCalendar(t.db);
    const cal = await loadWorkCalendar(t.db);
    expect(cal.isWorkingDay('2026-10-10')).toBe(true);
    expect(cal.isWorkingDay('2026-10-05')).toBe(false);
    expect(cal.covers(2026)).toBe(true);

    const ctx = await districtCtx();
    const edited = cal.specialDaysOf(2026).filter((d) => d.date !== '2026-10-10');
    await replaceCalendarYear(t.db, ctx, 2026, edited, 'panel');
    await ensureBuiltinCalendar(t.db);
    expect((await loadWorkCalendar(t.db)).isWorkingDay('2026-10-10')).toBe(false);
    expect((await calendarYears(t.db)).find((y) => y.year === 2026)?.source).toBe('panel');
    const [row] = await t.db.select().from(auditLog).where(and(eq(auditLog.entity, 'work_calendar'), eq(auditLog.actorId, ctx.actor.id)));
    expect(row?.action).toBe('update');
  });

  it('imports a new year, which then counts as covered', async () => {
    const ctx = await districtCtx();
    expect((await loadWorkCalendar(t.db)).covers(2031)).toBe(false);
    await replaceCalendarYear(t.db, ctx, 2031, [{ date: '2031-01-01', kind: 'holiday', name: '元旦' }], 'import');
    const cal = await loadWorkCalendar(t.db);
    expect(cal.covers(2031)).toBe(true);
    expect(cal.isWorkingDay('2031-01-01')).toBe(false);
    expect(await t.db.$count(workCalendarDays, eq(workCalendarDays.date, '2031-01-01'))).toBe(1);
  });

  it('records absences within scope only, audits them, and feeds the sweep', async () => {
    const [unitA, unitB] = await t.db.select().from(units).where(eq(units.kind, 'subdistrict')).limit(2);
    const [inA] = await t.db.select().from(cadres).where(eq(cadres.unitId, unitA!.id)).limit(1);
    const [inB] = await t.db.select().from(cadres).where(eq(cadres.unitId, unitB!.id)).limit(1);
    const admin = await addUser(t.db, `ua${Math.random().toString(36).slice(2, 8)}`, 'unit_admin', { unitId: unitA!.id });
    const ctx = { actor: admin, scope: await scopeOf(t.db, admin), ip: null };

    expect(await addAbsence(t.db, ctx, { cadreId: inB!.id, startsOn: '2026-03-01', endsOn: '2026-03-05', kind: 'leave' })).toBeNull();
    expect(await addAbsence(t.db, ctx, { cadreId: inA!.id, startsOn: '2026-03-09', endsOn: '2026-03-01', kind: 'leave' })).toEqual({ issues: [{ code: 'absence.order' }] });
    expect(await addAbsence(t.db, ctx, { cadreId: inA!.id, startsOn: '2026-02-30', endsOn: '2026-03-01', kind: 'leave' })).toEqual({ issues: [{ code: 'absence.day', field: 'startsOn' }] });
    expect(await absencesOf(t.db, ctx.scope, inA!.id)).toEqual([]);

    const added = await addAbsence(t.db, ctx, { cadreId: inA!.id, startsOn: '2026-03-05', endsOn: '2026-03-09', kind: 'training', note: '党校春季班' });
    expect(added).toHaveProperty('id');
    const id = (added as { id: number }).id;
    expect((await absencesByCadre(t.db, [inA!.id, inB!.id], '2026-03-01', '2026-03-31')).get(inA!.id)).toEqual([{ cadreId: inA!.id, startsOn: '2026-03-05', endsOn: '2026-03-09' }]);
    expect((await absencesByCadre(t.db, [inA!.id], '2026-04-01', '2026-04-30')).size).toBe(0);

    const [created] = await t.db.select().from(auditLog).where(and(eq(auditLog.entity, 'absence'), eq(auditLog.entityId, String(id)), eq(auditLog.action, 'create')));
    expect(created?.actorId).toBe(admin.id);

    const other = await addUser(t.db, `ub${Math.random().toString(36).slice(2, 8)}`, 'unit_admin', { unitId: unitB!.id });
    expect(await removeAbsence(t.db, { actor: other, scope: await scopeOf(t.db, other), ip: null }, id)).toBe(false);
    expect(await removeAbsence(t.db, ctx, id)).toBe(true);
    expect(await absencesOf(t.db, ctx.scope, inA!.id)).toEqual([]);
  });

  it('counts today\'s proactive messages per person, not replies, failures or card updates', async () => {
    const day = new Date('2026-05-06T00:00:00+08:00');
    const next = new Date('2026-05-07T00:00:00+08:00');
    const who = `ou_count_${Math.random().toString(36).slice(2, 8)}`;
    for (const purpose of ['evaluation.reminder', 'mentorship.nudge', 'reply', 'reply.unregistered']) {
      await addToOutbox(t.db, { recipient: who, purpose, msgType: 'text', payload: { text: 'x' } });
    }
    await addToOutbox(t.db, { recipient: who, purpose: 'evaluation.reminder', msgType: 'interactive', payload: {}, kind: 'patch', larkMessageId: 'om_1' });
    // The rows were written now; count over a window that contains now.
    const counts = await sentTodayCounts(t.db, [who], new Date(Date.now() - 60_000), new Date(Date.now() + 60_000));
    expect(counts.get(who)).toBe(2);
    expect((await sentTodayCounts(t.db, [who], day, next)).get(who)).toBeUndefined();
  });

  it('sweeps with what the database knows: absences, today\'s messages, keys already written', async () => {
    await ensureBuiltinCalendar(t.db);
    const ctx = await districtCtx();
    const people = await t.db.select({ id: cadres.id, openId: cadres.larkOpenId }).from(cadres).limit(4);
    const [away, busy, done, free] = people.map((p) => ({ id: p.id, openId: `ou_sweep_${p.id}_${Math.random().toString(36).slice(2, 6)}` }));
    await addAbsence(t.db, ctx, { cadreId: away!.id, startsOn: '2026-06-01', endsOn: '2026-06-05', kind: 'leave' });
    const slot = 'daily:2026-06-03';
    await addToOutbox(t.db, { recipient: done!.openId, purpose: 'test.nudge', dedupeKey: `test.nudge:${done!.openId}:${slot}`, msgType: 'text', payload: { text: 'x' } });
    for (let i = 0; i < 6; i++) await addToOutbox(t.db, { recipient: busy!.openId, purpose: 'test.other', msgType: 'text', payload: { text: 'x' } });
    const window = { quietHours: { from: '21:00', to: '08:00' }, workingDaysOnly: true };
    const candidates = [away!, busy!, done!, free!].map((p) => ({ purpose: 'test.nudge', recipient: p.openId, cadreId: p.id, slot, window }));
    await t.db.update(outbox).set({ createdAt: new Date('2026-06-03T09:00:00+08:00') }).where(eq(outbox.recipient, busy!.openId));
    const plan = await planSweep(candidates, { db: t.db, clock: fixedClock('2026-06-03T10:00:00+08:00'), timeZone: 'Asia/Shanghai' });
    expect(plan.held.map((h) => [h.item.recipient, h.reason]).sort()).toEqual([[away!.openId, 'absent'], [busy!.openId, 'cap']].sort());
    expect(plan.send.map((c) => c.recipient)).toEqual([free!.openId]);
    expect(plan.send[0]!.dedupeKey).toBe(`test.nudge:${free!.openId}:${slot}`);
  });
});
