import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createLarkApi } from '../../bot/lark.ts';
import { createSandbox, demoDirectory, SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../../bot/sandbox/index.ts';
import { fixedClock } from '../../core/clock.ts';
import { seedDemo } from '../../core/demo.ts';
import { leaveDays, syncLarkAbsences } from '../../core/reminders/lark-absences.ts';
import { larkAbsenceSync } from '../../jobs/workers/system.ts';
import { auditLog } from '../../db/schema/audit.ts';
import { cadres } from '../../db/schema/org.ts';
import { cadreAbsences } from '../../db/schema/reminders.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { memoryLogger } from '../helpers/log.ts';

describe('absences read from Lark attendance', () => {
  let t: TestDatabase;
  let people: Array<{ id: number; userId: string }>;
  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    people = (await t.db.select({ id: cadres.id, userId: cadres.larkUserId }).from(cadres).where(eq(cadres.status, 'active')).limit(3)).map((p) => ({ id: p.id, userId: p.userId! }));
  });
  afterAll(() => t.drop());

  function harness() {
    const sandbox = createSandbox();
    sandbox.state.setDirectory(demoDirectory());
    const lark = createLarkApi({ appId: SANDBOX_APP_ID, appSecret: SANDBOX_APP_SECRET, domain: 'http://miaopu.test/sandbox', fetch: sandbox.fetch });
    return { sandbox, read: (ids: string[], from: string, to: string) => lark.leaveApprovals(ids, from, to) };
  }
  const larkRows = (cadreId: number) => t.db.select().from(cadreAbsences).where(and(eq(cadreAbsences.cadreId, cadreId), eq(cadreAbsences.source, 'lark')));

  it('keeps approved leave and trips as absences, updates a changed one, removes a withdrawn one', async () => {
    const h = harness();
    const [a, b] = people;
    h.sandbox.state.approvals.set(a!.userId, [{ uniq_id: 'L-100', kind: 'leave', start_time: '2026-12-07 09:00:00', end_time: '2026-12-09 18:00:00' }]);
    h.sandbox.state.approvals.set(b!.userId, [{ uniq_id: 'T-200', kind: 'trip', start_time: '2026-12-10 00:00:00', end_time: '2026-12-12 00:00:00' }]);
    const window = { from: '2026-11-24', to: '2027-01-30' };
    expect(await syncLarkAbsences(t.db, h.read, window)).toMatchObject({ added: 2, updated: 0, removed: 0 });
    expect(await larkRows(a!.id)).toMatchObject([{ startsOn: '2026-12-07', endsOn: '2026-12-09', kind: 'leave', larkApprovalId: 'L-100' }]);
    // A trip ending at midnight does not cover the day it ends on.
    expect(await larkRows(b!.id)).toMatchObject([{ startsOn: '2026-12-10', endsOn: '2026-12-11', kind: 'other' }]);

    h.sandbox.state.approvals.set(a!.userId, [{ uniq_id: 'L-100', kind: 'leave', start_time: '2026-12-07 09:00:00', end_time: '2026-12-10 18:00:00' }]);
    h.sandbox.state.approvals.delete(b!.userId);
    expect(await syncLarkAbsences(t.db, h.read, window)).toMatchObject({ added: 0, updated: 1, removed: 1 });
    expect(await larkRows(a!.id)).toMatchObject([{ endsOn: '2026-12-10' }]);
    expect(await larkRows(b!.id)).toEqual([]);
    const audits = await t.db.select().from(auditLog).where(and(eq(auditLog.entity, 'absence'), eq(auditLog.entityId, 'lark')));
    expect(audits.map((r) => r.diff)).toEqual([{ added: 2, updated: 0, removed: 0 }, { added: 0, updated: 1, removed: 1 }]);
  });

  it('never touches absences entered in the panel', async () => {
    const h = harness();
    const [, , c] = people;
    await t.db.insert(cadreAbsences).values({ cadreId: c!.id, startsOn: '2026-12-14', endsOn: '2026-12-15', kind: 'training' });
    await syncLarkAbsences(t.db, h.read, { from: '2026-12-01', to: '2026-12-31' });
    expect(await t.db.select().from(cadreAbsences).where(and(eq(cadreAbsences.cadreId, c!.id), eq(cadreAbsences.source, 'panel')))).toHaveLength(1);
  });

  it('says once that the app has no attendance scope and changes nothing', async () => {
    const h = harness();
    h.sandbox.state.attendanceScope = false;
    h.sandbox.state.approvals.set(people[0]!.userId, [{ uniq_id: 'L-300', kind: 'leave', start_time: '2026-12-21 09:00:00', end_time: '2026-12-21 18:00:00' }]);
    const log = memoryLogger();
    const sync = larkAbsenceSync({ db: t.db, clock: fixedClock('2026-12-01T02:00:00Z'), timeZone: 'Asia/Shanghai', read: h.read, log });
    expect(await sync()).toEqual({ skipped: 'no attendance scope' });
    expect(await sync()).toEqual({ skipped: 'no attendance scope' });
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(await t.db.$count(cadreAbsences, eq(cadreAbsences.larkApprovalId, 'L-300'))).toBe(0);
  });

  it('reads the days a leave covers', () => {
    expect(leaveDays({ startTime: '2026-10-01 00:00:00', endTime: '2026-10-02 00:00:00' })).toEqual({ startsOn: '2026-10-01', endsOn: '2026-10-01' });
    expect(leaveDays({ startTime: '2026-10-01 13:30:00', endTime: '2026-10-01 18:00:00' })).toEqual({ startsOn: '2026-10-01', endsOn: '2026-10-01' });
  });
});
