/**
 * @module
 * The evaluation jobs: invitations when a campaign opens, the reminder sweep, closing campaigns
 * that are due, "remind me in 2 hours", and the unit admins' daily digest. Every message is an
 * outbox row with a dedupe key per (purpose, recipient, slot), so a job that runs twice sends
 * nothing twice; how many reminders a rater has had is read back from those rows. Reminders go
 * through the reminder engine (core/reminders): absent raters are paused, and the daily cap
 * across features merges the overflow into a digest. Time comes from the `Clock`, so tests run
 * the rules at any hour. What the jobs read lives in core/evaluation/outreach.ts.
 */
import type { Job, Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { addToOutbox } from '../../core/outbox.ts';
import { scopeOf } from '../../core/org/scope.ts';
import { closeDueCampaigns } from '../../core/evaluation/campaigns.ts';
import { nonResponders, pendingAssignments } from '../../core/evaluation/ballots.ts';
import { dueReminder, reminderSlots, type ReminderPlan } from '../../core/evaluation/reminders.ts';
import { turnoutByUnit } from '../../core/evaluation/admin.ts';
import {
  PURPOSE,
  deliveredCards,
  digestRecipients,
  invitationTimes,
  inviteKey,
  reachableOpenIds,
  reminderSubject,
  remindersSent,
  votingCampaigns,
} from '../../core/evaluation/outreach.ts';
import { localDay, localParts } from '../../core/reminders/time.ts';
import { isQuiet } from '../../core/reminders/window.ts';
import { loadWorkCalendar } from '../../core/reminders/store.ts';
import { digestKey, planSweep } from '../../core/reminders/sweep.ts';
import type { ReminderCandidate } from '../../core/reminders/engine.ts';
import { evaluationCampaigns, type EvaluationCampaign } from '../../db/schema/evaluation.ts';
import { closedCard, digestCard, invitationCard, localDeadline, reminderCard, type DigestLine, type InvitationAssignment } from '../../bot/cards/evaluation.ts';
import { remindersDigestCard } from '../../bot/cards/reminders.ts';
import { ballotUrl } from '../../core/evaluation/ballot-link.ts';
import { EVALUATION_SCHEDULERS } from '../schedules.ts';

/** The feature's own queue. */
export const EVALUATION_QUEUE = 'evaluation';

export const EVALUATION_JOB = {
  ...EVALUATION_SCHEDULERS,
  opened: 'evaluation-campaign-opened',
  snooze: 'evaluation-snooze',
} as const;

export { PURPOSE };

export interface EvaluationJobDeps {
  db: Db;
  clock: Clock;
  timeZone: string;
  sealKey: Buffer;
  publicUrl: string;
  /** Queues outbox rows already committed. */
  flushOutbox: (ids: string[]) => Promise<void>;
  log: Logger;
  /** The daily cap per person across features (the engine's default when unset). */
  dailyCap?: number;
}

const windowOf = (c: EvaluationCampaign, tz: string) => ({ opensAt: c.opensAt, closesAt: c.closesAt, tz });

function quietNow(c: EvaluationCampaign, now: Date, tz: string): boolean {
  const p = localParts(now, tz);
  return isQuiet(p.hour * 60 + p.minute, (c.reminderPlan as ReminderPlan).quietHours);
}

async function assignmentsFor(deps: EvaluationJobDeps, campaign: EvaluationCampaign, cadreId: number): Promise<InvitationAssignment[]> {
  const open = await pendingAssignments(deps.db, campaign.id, cadreId);
  return open.map((a) => ({ category: a.category, targets: a.targetIds.length, webUrl: ballotUrl(deps.sealKey, deps.publicUrl, { campaignId: campaign.id, cadreId, category: a.category, closesAt: campaign.closesAt }) }));
}

/**
 * Invitation cards to every rater of an open campaign who has none yet and has not voted.
 * Waits while the campaign has not reached its opening time or it is quiet hours (the sweep
 * sends them later). Returns how many were written.
 */
export async function sendInvitations(deps: EvaluationJobDeps, campaignId: number): Promise<number> {
  const now = deps.clock.now();
  const [campaign] = await votingCampaigns(deps.db, now, campaignId);
  if (!campaign || quietNow(campaign, now, deps.timeZone)) return 0;
  const invited = await invitationTimes(deps.db, campaignId);
  const waiting = (await nonResponders(deps.db, campaignId)).filter((id) => !invited.has(id));
  const reach = await reachableOpenIds(deps.db, waiting);
  const ids: string[] = [];
  for (const cadreId of waiting) {
    const openId = reach.get(cadreId);
    if (!openId) continue;
    const assignments = await assignmentsFor(deps, campaign, cadreId);
    if (assignments.length === 0) continue;
    const id = await addToOutbox(deps.db, {
      recipient: openId,
      cadreId,
      purpose: PURPOSE.invitation,
      dedupeKey: inviteKey(campaignId, cadreId),
      msgType: 'interactive',
      payload: invitationCard(campaign, deps.timeZone, assignments),
      // The sweep reads this time back: no reminder follows an invitation on its day.
      createdAt: now,
    });
    if (id) ids.push(id);
  }
  await deps.flushOutbox(ids);
  if (ids.length) deps.log.info({ campaignId, invitations: ids.length, unreachable: waiting.length - reach.size }, 'evaluation: invitations queued');
  return ids.length;
}

/** A snoozed reminder's slot key holds its time: `snooze-<epoch ms>`. */
const snoozeSlot = (at: Date) => `snooze-${at.getTime()}`;

async function writeReminder(deps: EvaluationJobDeps, campaign: EvaluationCampaign, cadreId: number, openId: string, slot: string): Promise<string | undefined> {
  const assignments = await assignmentsFor(deps, campaign, cadreId);
  if (assignments.length === 0) return undefined;
  return addToOutbox(deps.db, {
    recipient: openId,
    cadreId,
    purpose: PURPOSE.reminder,
    dedupeKey: `${PURPOSE.reminder}:${reminderSubject(campaign.id, cadreId)}:${slot}`,
    msgType: 'interactive',
    payload: reminderCard(campaign, deps.timeZone, assignments, true),
  });
}

/** A reminder the evaluation's rules say is due, for the engine to decide on. */
interface DueReminder extends ReminderCandidate {
  campaign: EvaluationCampaign;
  cadreId: number;
}

/**
 * The sweep: for each campaign open for voting, catch up invitations, then find every
 * non-responder whose reminder is due by the campaign's plan (dueReminder: slots, quiet hours,
 * working days, the plan's cap), and let the engine decide across campaigns: absent raters wait,
 * and over the daily cap per person the rest become one digest.
 */
export async function sweepReminders(deps: EvaluationJobDeps): Promise<{ invitations: number; reminders: number; digests: number; held: number }> {
  const now = deps.clock.now();
  const calendar = await loadWorkCalendar(deps.db);
  let invitations = 0;
  const due: DueReminder[] = [];
  for (const campaign of await votingCampaigns(deps.db, now)) {
    invitations += await sendInvitations(deps, campaign.id);
    const plan = campaign.reminderPlan as ReminderPlan;
    const window = { ...windowOf(campaign, deps.timeZone), calendar };
    const slotTimes = new Map(reminderSlots(plan, window).map((s) => [s.key, s.at]));
    const [sent, invited, waiting] = await Promise.all([remindersSent(deps.db, campaign.id), invitationTimes(deps.db, campaign.id), nonResponders(deps.db, campaign.id)]);
    const reach = await reachableOpenIds(deps.db, waiting);
    for (const cadreId of waiting) {
      const openId = reach.get(cadreId);
      if (!openId) continue;
      const keys = sent.get(cadreId) ?? [];
      // The invitation is the opening notice: the opening slot, and every slot on the day it
      // went, are covered by it (dueReminder).
      const invitedAt = invited.get(cadreId) ?? null;
      const times = keys.map((k) => (k.startsWith('snooze-') ? new Date(Number(k.slice(7))) : slotTimes.get(k))).filter((d): d is Date => d != null);
      if (invitedAt) times.push(invitedAt);
      const lastSentAt = times.length ? new Date(Math.max(...times.map((d) => d.getTime()))) : null;
      const decision = dueReminder(plan, window, { sent: keys.length, lastSentAt, invitedAt }, now);
      if (!decision.due) continue;
      due.push({
        purpose: PURPOSE.reminder,
        recipient: openId,
        cadreId,
        subject: reminderSubject(campaign.id, cadreId),
        slot: decision.due.key,
        window: { quietHours: plan.quietHours, workingDaysOnly: plan.skipWeekends },
        campaign,
      });
    }
  }
  const plan = await planSweep(due, { db: deps.db, clock: deps.clock, timeZone: deps.timeZone, dailyCap: deps.dailyCap, calendar });
  const ids: string[] = [];
  for (const r of plan.send) {
    const id = await writeReminder(deps, r.campaign, r.cadreId, r.recipient, r.slot);
    if (id) ids.push(id);
  }
  let digests = 0;
  for (const digest of plan.digests) {
    const first = digest.items[0]!;
    const id = await addToOutbox(deps.db, {
      recipient: digest.recipient,
      cadreId: first.cadreId,
      purpose: 'reminders.digest',
      dedupeKey: digestKey(digest.recipient, plan.day),
      msgType: 'interactive',
      payload: remindersDigestCard(digest.items.map((i) => ({ title: i.campaign.title, detail: `截止 ${localDeadline(i.campaign.closesAt, deps.timeZone)}` }))),
    });
    if (!id) continue;
    ids.push(id);
    digests++;
  }
  await deps.flushOutbox(ids);
  if (ids.length) deps.log.info({ reminders: plan.send.length, digests, held: plan.held.length }, 'evaluation: reminders queued');
  return { invitations, reminders: ids.length - digests, digests, held: plan.held.length };
}

export interface SnoozeData {
  campaignId: number;
  cadreId: number;
  /** ISO time the reminder was asked for. */
  at: string;
}

/** A snoozed reminder fires: only if the campaign is still open and the rater still has not voted. */
export async function fireSnooze(deps: EvaluationJobDeps, data: SnoozeData): Promise<boolean> {
  const now = deps.clock.now();
  const [campaign] = await votingCampaigns(deps.db, now, data.campaignId);
  if (!campaign) return false;
  if (!(await nonResponders(deps.db, campaign.id)).includes(data.cadreId)) return false;
  const openId = (await reachableOpenIds(deps.db, [data.cadreId])).get(data.cadreId);
  if (!openId) return false;
  const id = await writeReminder(deps, campaign, data.cadreId, openId, snoozeSlot(new Date(data.at)));
  if (id) await deps.flushOutbox([id]);
  return id != null;
}

/** Stable per rater, campaign and slot: asking twice for the same moment makes one job. */
export function snoozeJobId(data: SnoozeData): string {
  return `${EVALUATION_JOB.snooze}-${data.campaignId}-${data.cadreId}-${new Date(data.at).getTime()}`;
}

/** "Remind me in 2 hours": a delayed job at `at` (delay measured from the clock's now). */
export async function scheduleSnooze(queue: Queue, clock: Clock, input: { campaignId: number; cadreId: number; at: Date }): Promise<void> {
  const data: SnoozeData = { campaignId: input.campaignId, cadreId: input.cadreId, at: input.at.toISOString() };
  await queue.add(EVALUATION_JOB.snooze, data, {
    jobId: snoozeJobId(data),
    delay: Math.max(0, input.at.getTime() - clock.now().getTime()),
    attempts: 5,
    backoff: { type: 'exponential', delay: 5000 },
    removeOnComplete: 100,
    removeOnFail: 100,
  });
}

/** For the panel: queue the invitations of a campaign just opened. */
export async function enqueueCampaignOpened(queue: Queue, campaignId: number): Promise<void> {
  await queue.add(EVALUATION_JOB.opened, { campaignId }, { jobId: `${EVALUATION_JOB.opened}-${campaignId}`, attempts: 5, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: 100, removeOnFail: 100 });
}

/** The daily digest: each admin with a Lark account gets their units' turnout, once a day. */
export async function sendDigests(deps: EvaluationJobDeps): Promise<number> {
  const now = deps.clock.now();
  const campaigns = await votingCampaigns(deps.db, now);
  if (campaigns.length === 0) return 0;
  const admins = await digestRecipients(deps.db);
  const day = localDay(now, deps.timeZone);
  const ids: string[] = [];
  for (const admin of admins) {
    const scope = await scopeOf(deps.db, admin);
    const lines: DigestLine[] = [];
    for (const c of campaigns) {
      // The turnout page's numbers, summed over the admin's units.
      const units = await turnoutByUnit(deps.db, c.id, scope);
      const t = units.reduce((sum, u) => ({ assigned: sum.assigned + u.assigned, completed: sum.completed + u.completed }), { assigned: 0, completed: 0 });
      if (t.assigned > 0) lines.push({ title: c.title, closesAt: c.closesAt, ...t });
    }
    if (lines.length === 0) continue;
    const id = await addToOutbox(deps.db, {
      recipient: admin.larkOpenId!,
      purpose: PURPOSE.digest,
      dedupeKey: `${PURPOSE.digest}:${admin.id}:${day}`,
      msgType: 'interactive',
      payload: digestCard(deps.timeZone, lines, deps.publicUrl),
    });
    if (id) ids.push(id);
  }
  await deps.flushOutbox(ids);
  return ids.length;
}

/**
 * After closing: the invitation and reminder cards of raters who never voted turn into
 * "测评已结束", so an old card cannot suggest there is still time. (Raters who voted keep the
 * "已提交 ✓" their ballot card became.)
 */
export async function retireCards(deps: EvaluationJobDeps, campaignId: number): Promise<number> {
  const [campaign] = await deps.db.select().from(evaluationCampaigns).where(eq(evaluationCampaigns.id, campaignId));
  if (!campaign || campaign.status !== 'closed') return 0;
  const waiting = await nonResponders(deps.db, campaignId);
  if (waiting.length === 0) return 0;
  const sent = await deliveredCards(deps.db, campaignId, waiting);
  const ids: string[] = [];
  for (const row of sent) {
    const id = await addToOutbox(deps.db, {
      recipient: row.recipient,
      cadreId: row.cadreId,
      purpose: PURPOSE.closed,
      dedupeKey: `${PURPOSE.closed}:${row.id}`,
      msgType: 'interactive',
      payload: closedCard(campaign),
      kind: 'patch',
      larkMessageId: row.larkMessageId!,
    });
    if (id) ids.push(id);
  }
  await deps.flushOutbox(ids);
  return ids.length;
}

export function evaluationProcessor(deps: EvaluationJobDeps) {
  return async (job: Job): Promise<unknown> => {
    switch (job.name) {
      case EVALUATION_JOB.closeDue:
      {
        const closed = await closeDueCampaigns(deps.db, deps.clock, deps.sealKey);
        for (const id of closed) await retireCards(deps, id);
        return { closed };
      }
      case EVALUATION_JOB.sweep:
        return sweepReminders(deps);
      case EVALUATION_JOB.digest:
        return { digests: await sendDigests(deps) };
      case EVALUATION_JOB.opened:
        return { invitations: await sendInvitations(deps, Number((job.data as { campaignId: number }).campaignId)) };
      case EVALUATION_JOB.snooze:
        return { sent: await fireSnooze(deps, job.data as SnoozeData) };
      default:
        throw new Error(`Unknown evaluation job ${job.name}`);
    }
  };
}
