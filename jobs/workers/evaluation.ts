/**
 * @module
 * The evaluation jobs: invitations when a campaign opens, the reminder sweep, closing campaigns
 * that are due, "remind me in 2 hours", and the unit admins' daily digest. Every message is an
 * outbox row with a dedupe key per (purpose, recipient, slot), so a job that runs twice sends
 * nothing twice; how many reminders a rater has had is read back from those rows. Time comes
 * from the `Clock`, so tests run the rules at any hour.
 */
import type { Job, Queue } from 'bullmq';
import { and, eq, gt, inArray, isNotNull, like, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { addToOutbox } from '../../core/outbox.ts';
import { scopeOf } from '../../core/org/scope.ts';
import { closeDueCampaigns } from '../../core/evaluation/campaigns.ts';
import { nonResponders, pendingAssignments } from '../../core/evaluation/ballots.ts';
import { dueReminder, isQuiet, reminderSlots, type ReminderPlan } from '../../core/evaluation/reminders.ts';
import { localDay, localParts } from '../../core/evaluation/timezone.ts';
import { evaluationCampaigns, evaluationCompletions, evaluationRaters, type EvaluationCampaign } from '../../db/schema/evaluation.ts';
import { outbox } from '../../db/schema/lark.ts';
import { cadres } from '../../db/schema/org.ts';
import { panelUsers } from '../../db/schema/users.ts';
import { closedCard, digestCard, invitationCard, reminderCard, type DigestLine, type InvitationAssignment } from '../../bot/cards/evaluation.ts';
import { ballotUrl } from '../../core/evaluation/ballot-link.ts';
import { EVALUATION_SCHEDULERS } from '../schedules.ts';

/** The feature's own queue. */
export const EVALUATION_QUEUE = 'evaluation';

export const EVALUATION_JOB = {
  ...EVALUATION_SCHEDULERS,
  opened: 'evaluation-campaign-opened',
  snooze: 'evaluation-snooze',
} as const;

export const PURPOSE = {
  invitation: 'evaluation.invitation',
  reminder: 'evaluation.reminder',
  digest: 'evaluation.digest',
  closed: 'evaluation.closed',
} as const;

export interface EvaluationJobDeps {
  db: Db;
  clock: Clock;
  timeZone: string;
  sealKey: Buffer;
  publicUrl: string;
  /** Queues outbox rows already committed. */
  flushOutbox: (ids: string[]) => Promise<void>;
  log: Logger;
}

const inviteKey = (campaignId: number, cadreId: number) => `${PURPOSE.invitation}:${campaignId}:${cadreId}`;
const reminderPrefix = (campaignId: number) => `${PURPOSE.reminder}:${campaignId}:`;
const reminderKey = (campaignId: number, cadreId: number, slot: string) => `${reminderPrefix(campaignId)}${cadreId}:${slot}`;

/** Open for voting now: published, inside its window. */
async function votingCampaigns(db: Db, now: Date, id?: number): Promise<EvaluationCampaign[]> {
  return db
    .select()
    .from(evaluationCampaigns)
    .where(and(eq(evaluationCampaigns.status, 'open'), lte(evaluationCampaigns.opensAt, now), gt(evaluationCampaigns.closesAt, now), id == null ? undefined : eq(evaluationCampaigns.id, id)));
}

const windowOf = (c: EvaluationCampaign, tz: string) => ({ opensAt: c.opensAt, closesAt: c.closesAt, tz });

function quietNow(c: EvaluationCampaign, now: Date, tz: string): boolean {
  const p = localParts(now, tz);
  return isQuiet(p.hour * 60 + p.minute, (c.reminderPlan as ReminderPlan).quietHours);
}

/** Open ids of the given cadres (those not yet linked to Lark cannot be reached in the chat). */
async function openIds(db: Db, cadreIds: number[]): Promise<Map<number, string>> {
  if (cadreIds.length === 0) return new Map();
  const rows = await db.select({ id: cadres.id, openId: cadres.larkOpenId }).from(cadres).where(and(inArray(cadres.id, cadreIds), isNotNull(cadres.larkOpenId)));
  return new Map(rows.map((r) => [r.id, r.openId!]));
}

async function assignmentsFor(deps: EvaluationJobDeps, campaign: EvaluationCampaign, cadreId: number): Promise<InvitationAssignment[]> {
  const open = await pendingAssignments(deps.db, campaign.id, cadreId);
  return open.map((a) => ({ category: a.category, targets: a.targetIds.length, webUrl: ballotUrl(deps.sealKey, deps.publicUrl, { campaignId: campaign.id, cadreId, category: a.category, closesAt: campaign.closesAt }) }));
}

async function existingKeys(db: Db, prefix: string): Promise<string[]> {
  const rows = await db.select({ key: outbox.dedupeKey }).from(outbox).where(like(outbox.dedupeKey, `${prefix}%`));
  return rows.map((r) => r.key!);
}

/** When each rater's invitation to a campaign was written (by the jobs' clock). */
async function invitationTimes(db: Db, campaignId: number): Promise<Map<number, Date>> {
  const prefix = `${PURPOSE.invitation}:${campaignId}:`;
  const rows = await db.select({ key: outbox.dedupeKey, at: outbox.createdAt }).from(outbox).where(like(outbox.dedupeKey, `${prefix}%`));
  return new Map(rows.map((r) => [Number(r.key!.slice(prefix.length)), r.at]));
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
  const invited = new Set(await existingKeys(deps.db, `${PURPOSE.invitation}:${campaignId}:`));
  const waiting = (await nonResponders(deps.db, campaignId)).filter((id) => !invited.has(inviteKey(campaignId, id)));
  const reach = await openIds(deps.db, waiting);
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

/** What the outbox says about a campaign's reminders: per rater, the slot keys sent. */
async function remindersSent(db: Db, campaignId: number): Promise<Map<number, string[]>> {
  const byRater = new Map<number, string[]>();
  const prefix = reminderPrefix(campaignId);
  for (const key of await existingKeys(db, prefix)) {
    const rest = key.slice(prefix.length);
    const cut = rest.indexOf(':');
    const cadreId = Number(rest.slice(0, cut));
    byRater.set(cadreId, [...(byRater.get(cadreId) ?? []), rest.slice(cut + 1)]);
  }
  return byRater;
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
    dedupeKey: reminderKey(campaign.id, cadreId, slot),
    msgType: 'interactive',
    payload: reminderCard(campaign, deps.timeZone, assignments, true),
  });
}

/**
 * The sweep: for each campaign open for voting, catch up invitations, then remind every
 * non-responder whose reminder is due (dueReminder: slots, quiet hours, weekends, the cap).
 */
export async function sweepReminders(deps: EvaluationJobDeps): Promise<{ invitations: number; reminders: number }> {
  const now = deps.clock.now();
  let invitations = 0;
  let reminders = 0;
  for (const campaign of await votingCampaigns(deps.db, now)) {
    invitations += await sendInvitations(deps, campaign.id);
    const plan = campaign.reminderPlan as ReminderPlan;
    const window = windowOf(campaign, deps.timeZone);
    const slotTimes = new Map(reminderSlots(plan, window).map((s) => [s.key, s.at]));
    const sent = await remindersSent(deps.db, campaign.id);
    const invited = await invitationTimes(deps.db, campaign.id);
    const waiting = await nonResponders(deps.db, campaign.id);
    const reach = await openIds(deps.db, waiting);
    const ids: string[] = [];
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
      const { due } = dueReminder(plan, window, { sent: keys.length, lastSentAt, invitedAt }, now);
      if (!due) continue;
      const id = await writeReminder(deps, campaign, cadreId, openId, due.key);
      if (id) ids.push(id);
    }
    await deps.flushOutbox(ids);
    reminders += ids.length;
    if (ids.length) deps.log.info({ campaignId: campaign.id, reminders: ids.length }, 'evaluation: reminders queued');
  }
  return { invitations, reminders };
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
  const openId = (await openIds(deps.db, [data.cadreId])).get(data.cadreId);
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

/** Turnout of the raters who belong to the given units (all units when null). */
async function unitTurnout(db: Db, campaignId: number, unitIds: number[] | null): Promise<{ assigned: number; completed: number }> {
  const [row] = await db
    .select({
      assigned: sql<number>`count(*)::int`,
      completed: sql<number>`count(${evaluationCompletions.cadreId})::int`,
    })
    .from(evaluationRaters)
    .innerJoin(cadres, eq(cadres.id, evaluationRaters.cadreId))
    .leftJoin(
      evaluationCompletions,
      and(eq(evaluationCompletions.campaignId, evaluationRaters.campaignId), eq(evaluationCompletions.cadreId, evaluationRaters.cadreId), eq(evaluationCompletions.category, evaluationRaters.category)),
    )
    .where(and(eq(evaluationRaters.campaignId, campaignId), unitIds == null ? undefined : unitIds.length ? inArray(cadres.unitId, unitIds) : sql`false`));
  return row ?? { assigned: 0, completed: 0 };
}

/** The daily digest: each admin with a Lark account gets their units' turnout, once a day. */
export async function sendDigests(deps: EvaluationJobDeps): Promise<number> {
  const now = deps.clock.now();
  const campaigns = await votingCampaigns(deps.db, now);
  if (campaigns.length === 0) return 0;
  const admins = await deps.db
    .select()
    .from(panelUsers)
    .where(and(isNotNull(panelUsers.larkOpenId), eq(panelUsers.disabled, false), inArray(panelUsers.role, ['unit_admin', 'district_admin'])));
  const day = localDay(now, deps.timeZone);
  const ids: string[] = [];
  for (const admin of admins) {
    const scope = await scopeOf(deps.db, admin);
    const lines: DigestLine[] = [];
    for (const c of campaigns) {
      const t = await unitTurnout(deps.db, c.id, scope.kind === 'all' ? null : scope.unitIds);
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
  const sent = await deps.db
    .select({ id: outbox.id, recipient: outbox.recipient, cadreId: outbox.cadreId, larkMessageId: outbox.larkMessageId })
    .from(outbox)
    .where(
      and(
        eq(outbox.status, 'sent'),
        eq(outbox.kind, 'send'),
        isNotNull(outbox.larkMessageId),
        inArray(outbox.cadreId, waiting),
        sql`(${outbox.dedupeKey} like ${`${PURPOSE.invitation}:${campaignId}:%`} or ${outbox.dedupeKey} like ${`${reminderPrefix(campaignId)}%`})`,
      ),
    );
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
