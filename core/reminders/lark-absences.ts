/**
 * @module
 * Absences from Lark's attendance: where the Lark app has the attendance scope, approved leave
 * (请假) and business trips (出差) are read for every cadre linked to Lark and kept as absences
 * (source `lark`), so nudges pause without anyone typing the leave in twice. An approval read
 * again updates its row (its key is Lark's id); one withdrawn in Lark is removed on the next
 * read of its days. An app without the scope is reported once and otherwise left alone.
 */
import { and, eq, gte, inArray, isNotNull, lte, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { cadres } from '../../db/schema/org.ts';
import { cadreAbsences } from '../../db/schema/reminders.ts';
import { audit } from '../audit.ts';
import { addDays } from './calendar.ts';

/** A leave or trip as the Lark adapter reads it (bot/lark.ts `LarkLeave`). */
export interface ApprovedLeave {
  userId: string;
  uniqId: string;
  kind: 'leave' | 'trip';
  /** Local wall-clock `YYYY-MM-DD HH:mm:ss`. */
  startTime: string;
  endTime: string;
}

/** What the sync needs from Lark: the attendance API, 50 users a call. */
export type LeaveReader = (userIds: string[], from: string, to: string) => Promise<ApprovedLeave[]>;

/** Local days a leave covers: one ending at midnight does not cover the day it ends on. */
export function leaveDays(leave: Pick<ApprovedLeave, 'startTime' | 'endTime'>): { startsOn: string; endsOn: string } {
  const startsOn = leave.startTime.slice(0, 10);
  let endsOn = leave.endTime.slice(0, 10);
  if (leave.endTime.slice(11) === '00:00:00' && endsOn > startsOn) endsOn = addDays(endsOn, -1);
  return { startsOn, endsOn };
}

export interface LeaveSyncResult {
  people: number;
  added: number;
  updated: number;
  removed: number;
}

/**
 * Reads the window `from`..`to` for every cadre with a Lark user id and brings the `lark`
 * absences in line with it, in one transaction, audited as one import by the system.
 */
export async function syncLarkAbsences(db: Db, read: LeaveReader, window: { from: string; to: string }): Promise<LeaveSyncResult> {
  const people = await db.select({ id: cadres.id, userId: cadres.larkUserId }).from(cadres).where(and(isNotNull(cadres.larkUserId), eq(cadres.status, 'active')));
  const cadreOf = new Map(people.map((p) => [p.userId!, p.id]));
  const leaves = new Map<string, ApprovedLeave>();
  const ids = [...cadreOf.keys()];
  for (let i = 0; i < ids.length; i += 50) {
    // The same leave comes back once per day it touches: keep one per Lark id.
    for (const leave of await read(ids.slice(i, i + 50), window.from, window.to)) leaves.set(leave.uniqId, leave);
  }
  return db.transaction(async (tx) => {
    const result: LeaveSyncResult = { people: people.length, added: 0, updated: 0, removed: 0 };
    for (const leave of leaves.values()) {
      const cadreId = cadreOf.get(leave.userId);
      if (cadreId == null) continue;
      const { startsOn, endsOn } = leaveDays(leave);
      const [row] = await tx
        .insert(cadreAbsences)
        .values({ cadreId, startsOn, endsOn, kind: leave.kind === 'leave' ? 'leave' : 'other', note: leave.kind === 'trip' ? '出差（飞书审批）' : '请假（飞书审批）', source: 'lark', larkApprovalId: leave.uniqId })
        .onConflictDoUpdate({ target: cadreAbsences.larkApprovalId, set: { startsOn, endsOn, cadreId } })
        .returning({ inserted: sql<boolean>`xmax = 0` });
      if (row?.inserted) result.added++;
      else result.updated++;
    }
    // Withdrawn in Lark: a `lark` absence inside the window that Lark no longer reports.
    const kept = [...leaves.keys()];
    const gone = await tx
      .delete(cadreAbsences)
      .where(
        and(
          eq(cadreAbsences.source, 'lark'),
          gte(cadreAbsences.startsOn, window.from),
          lte(cadreAbsences.endsOn, window.to),
          kept.length ? notInArray(cadreAbsences.larkApprovalId, kept) : undefined,
          inArray(cadreAbsences.cadreId, people.map((p) => p.id).concat(-1)),
        ),
      )
      .returning({ id: cadreAbsences.id });
    result.removed = gone.length;
    if (result.added || result.updated || result.removed) {
      await audit(tx, { actorId: null, action: 'import', entity: 'absence', entityId: 'lark', diff: { added: result.added, updated: result.updated, removed: result.removed } });
    }
    return result;
  });
}
