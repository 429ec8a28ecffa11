/**
 * @module
 * The mentorship queue: the nudge sweep. Every due pair takes today's step of its escalation
 * ladder (core/mentorship/nudges.ts); the reminder engine (planSweep) holds what falls in quiet
 * hours, on a day off or while the mentor is away, and applies the daily cap. A step is written
 * with its messages in one transaction and each message carries its (purpose, recipient, slot)
 * key, so a sweep that runs twice, or a worker killed and restarted, sends nothing twice.
 */
import type { Job, Queue } from 'bullmq';
import { and, eq, isNotNull, like } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { outbox } from '../../db/schema/lark.ts';
import { panelUsers } from '../../db/schema/users.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { addToOutbox, type Executor, type OutboxMessage } from '../../core/outbox.ts';
import { inScope, scopeOf } from '../../core/org/scope.ts';
import { dueSteps, nudgeSlot, takeStep, type DueStep } from '../../core/mentorship/nudges.ts';
import { pairSummaries } from '../../core/mentorship/summaries.ts';
import { DEFAULT_QUIET_HOURS, type SendWindow } from '../../core/reminders/window.ts';
import { digestKey, planSweep } from '../../core/reminders/sweep.ts';
import { loadWorkCalendar } from '../../core/reminders/store.ts';
import { localDay } from '../../core/reminders/time.ts';
import type { ReminderCandidate } from '../../core/reminders/engine.ts';
import { nudgeCard, overdueDigestCard, type DigestLine } from '../../bot/cards/mentorship.ts';

export const MENTORSHIP_QUEUE = 'mentorship';
export const MENTORSHIP_JOB = { sweep: 'mentorship-sweep' } as const;

export const NUDGE_PURPOSE = {
  nudge: 'mentorship.nudge',
  urgent: 'mentorship.urgent',
  unitDigest: 'mentorship.unit_digest',
  districtDigest: 'mentorship.district_digest',
} as const;

/** Nudges go out on working days, outside quiet hours. */
export const NUDGE_WINDOW: SendWindow = { quietHours: DEFAULT_QUIET_HOURS, workingDaysOnly: true };

export interface MentorshipJobDeps {
  db: Db;
  clock: Clock;
  timeZone: string;
  publicUrl: string;
  flushOutbox: (ids: string[]) => Promise<void>;
  log: Logger;
  dailyCap?: number;
}

type Candidate = ReminderCandidate & { due: DueStep };

async function admins(db: Db) {
  const rows = await db
    .select({ id: panelUsers.id, role: panelUsers.role, unitId: panelUsers.unitId, larkOpenId: panelUsers.larkOpenId })
    .from(panelUsers)
    .where(and(isNotNull(panelUsers.larkOpenId), eq(panelUsers.disabled, false)));
  const unit = await Promise.all(rows.filter((r) => r.role === 'unit_admin').map(async (r) => ({ openId: r.larkOpenId!, scope: await scopeOf(db, r) })));
  return { unit, district: rows.filter((r) => r.role === 'district_admin').map((r) => r.larkOpenId!) };
}

function candidatesOf(steps: DueStep[], who: Awaited<ReturnType<typeof admins>>): Candidate[] {
  const out: Candidate[] = [];
  for (const due of steps) {
    const slot = `${nudgeSlot(due.pair.id, due.periodStart)}:${due.step.key}`;
    const base = { slot, window: NUDGE_WINDOW, due };
    switch (due.step.kind) {
      case 'card':
      case 'repeat':
        if (due.mentor.larkOpenId) out.push({ ...base, purpose: NUDGE_PURPOSE.nudge, recipient: due.mentor.larkOpenId, cadreId: due.mentor.cadreId });
        break;
      case 'urgent':
        if (due.mentor.larkOpenId) out.push({ ...base, purpose: NUDGE_PURPOSE.urgent, recipient: due.mentor.larkOpenId, cadreId: due.mentor.cadreId });
        break;
      case 'unit_digest':
        for (const a of who.unit) if (inScope(a.scope, due.pair.unitId)) out.push({ ...base, purpose: NUDGE_PURPOSE.unitDigest, recipient: a.openId, cadreId: null });
        break;
      case 'district_digest':
        for (const openId of who.district) out.push({ ...base, purpose: NUDGE_PURPOSE.districtDigest, recipient: openId, cadreId: null });
        break;
    }
  }
  return out;
}

/** The Lark message of the period's nudge card, once the outbox worker has sent it. */
async function cardMessageId(tx: Executor, due: DueStep): Promise<string | undefined> {
  const [row] = await tx
    .select({ id: outbox.larkMessageId })
    .from(outbox)
    .where(and(like(outbox.dedupeKey, `${NUDGE_PURPOSE.nudge}:%:${nudgeSlot(due.pair.id, due.periodStart)}:step0:card`), isNotNull(outbox.larkMessageId)));
  return row?.id ?? undefined;
}

const line = (d: DueStep): DigestLine => ({ mentors: d.pair.mentors, mentees: d.pair.mentees, due: d.periodStart });

/**
 * One sweep over every pair. Returns how many messages it wrote. Steps with no one to tell
 * (no admin on Lark) are still taken, so the ladder climbs on.
 */
export async function sweepNudges(deps: MentorshipJobDeps): Promise<{ steps: number; messages: number }> {
  const now = deps.clock.now();
  const today = localDay(now, deps.timeZone);
  const calendar = await loadWorkCalendar(deps.db);
  const pairs = await pairSummaries(deps.db, { kind: 'all' }, { today, calendar, timeZone: deps.timeZone });
  const steps = await dueSteps(deps.db, pairs, today, calendar);
  if (steps.length === 0) return { steps: 0, messages: 0 };
  const candidates = candidatesOf(steps, await admins(deps.db));
  const plan = await planSweep(candidates, { db: deps.db, clock: deps.clock, timeZone: deps.timeZone, calendar, dailyCap: deps.dailyCap });
  const heldSteps = new Set(plan.held.map((h) => h.item.due));
  const listUrl = `${deps.publicUrl}/mentorship?health=overdue`;
  const ids: string[] = [];
  let taken = 0;
  await deps.db.transaction(async (tx) => {
    const write = async (m: OutboxMessage) => {
      const id = await addToOutbox(tx, { ...m, createdAt: now });
      if (id) ids.push(id);
    };
    const takenNow = new Set<DueStep>();
    const take = async (due: DueStep) => {
      if (takenNow.has(due)) return true;
      if (!(await takeStep(tx, due))) return false;
      takenNow.add(due);
      taken++;
      return true;
    };
    const adminLines = new Map<string, { purpose: string; lines: DigestLine[] }>();
    for (const c of plan.send) {
      const due = c.due;
      if (c.purpose === NUDGE_PURPOSE.unitDigest || c.purpose === NUDGE_PURPOSE.districtDigest) {
        if (!(await take(due))) continue;
        const entry = adminLines.get(c.recipient) ?? { purpose: c.purpose, lines: [] };
        entry.lines.push(line(due));
        adminLines.set(c.recipient, entry);
        continue;
      }
      if (!(await take(due))) continue;
      const view = { pairId: due.pair.id, mentees: due.pair.mentees, due: due.pair.nextDue! };
      const messageId = due.step.kind === 'card' ? undefined : await cardMessageId(tx, due);
      const base = { recipient: c.recipient, cadreId: c.cadreId, purpose: c.purpose, dedupeKey: c.dedupeKey, msgType: 'interactive' as const };
      // Without a sent card to act on (the sweep was down on the card's day), the card goes now.
      if (!messageId) await write({ ...base, payload: nudgeCard(view, due.step.kind !== 'card') });
      else if (due.step.kind === 'repeat') await write({ ...base, kind: 'patch', larkMessageId: messageId, payload: nudgeCard(view, true) });
      else await write({ ...base, kind: 'urgent', larkMessageId: messageId, payload: {} });
    }
    for (const [recipient, { purpose, lines }] of adminLines) {
      await write({ recipient, purpose, dedupeKey: `${purpose}:${recipient}:${today}`, msgType: 'interactive', payload: overdueDigestCard(lines, listUrl) });
    }
    for (const d of plan.digests) {
      const lines: DigestLine[] = [];
      for (const item of d.items) if (await take(item.due)) lines.push(line(item.due));
      if (lines.length) await write({ recipient: d.recipient, purpose: 'mentorship.digest', dedupeKey: digestKey(d.recipient, today), msgType: 'interactive', payload: overdueDigestCard(lines, listUrl) });
    }
    // A step nobody could be told of (no mentor or admin on Lark) is taken, not retried forever.
    const considered = new Set(candidates.map((c) => c.due));
    for (const due of steps) if (!considered.has(due) && !heldSteps.has(due)) await take(due);
  });
  await deps.flushOutbox(ids);
  if (ids.length) deps.log.info({ steps: taken, messages: ids.length }, 'mentorship: nudges queued');
  return { steps: taken, messages: ids.length };
}

export function mentorshipProcessor(deps: MentorshipJobDeps) {
  return async (job: Job): Promise<unknown> => {
    if (job.name === MENTORSHIP_JOB.sweep) return sweepNudges(deps);
    throw new Error(`Unknown mentorship job ${job.name}`);
  };
}

/** The sweep every 15 minutes (every minute in the sandbox); a stable id, so boots do not add more. */
export async function upsertMentorshipSchedules(queue: Queue, options: { everyMs?: number } = {}): Promise<void> {
  await queue.upsertJobScheduler(MENTORSHIP_JOB.sweep, { every: options.everyMs ?? 15 * 60_000 }, { name: MENTORSHIP_JOB.sweep, data: {}, opts: { removeOnComplete: 10, removeOnFail: 50 } });
}
