/**
 * @module
 * What the evaluation's jobs read to reach raters and admins: campaigns open for voting, the
 * raters' Lark accounts, and what the outbox already holds for a campaign (invitations with their
 * time, reminders by rater and slot, the cards to retire after closing). The jobs decide and
 * write; the reading lives here, with the rest of the evaluation's rules.
 */
import { and, eq, gt, inArray, isNotNull, like, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { evaluationCampaigns, type EvaluationCampaign } from '../../db/schema/evaluation.ts';
import { outbox } from '../../db/schema/lark.ts';
import { cadres } from '../../db/schema/org.ts';
import { panelUsers, type PanelUser } from '../../db/schema/users.ts';

/** Why each evaluation message exists; the first part of its outbox key. */
export const PURPOSE = {
  invitation: 'evaluation.invitation',
  reminder: 'evaluation.reminder',
  digest: 'evaluation.digest',
  closed: 'evaluation.closed',
} as const;

export const inviteKey = (campaignId: number, cadreId: number) => `${PURPOSE.invitation}:${campaignId}:${cadreId}`;
const invitePrefix = (campaignId: number) => `${PURPOSE.invitation}:${campaignId}:`;
const reminderPrefix = (campaignId: number) => `${PURPOSE.reminder}:${campaignId}:`;
/** A reminder's subject in its (purpose, subject, slot) key: the rater within the campaign. */
export const reminderSubject = (campaignId: number, cadreId: number) => `${campaignId}:${cadreId}`;

/** Open for voting now: published, inside its window (one campaign, when `id` is given). */
export async function votingCampaigns(db: Db, now: Date, id?: number): Promise<EvaluationCampaign[]> {
  return db
    .select()
    .from(evaluationCampaigns)
    .where(and(eq(evaluationCampaigns.status, 'open'), lte(evaluationCampaigns.opensAt, now), gt(evaluationCampaigns.closesAt, now), id == null ? undefined : eq(evaluationCampaigns.id, id)));
}

/** Open ids of the given cadres (those not yet linked to Lark cannot be reached in the chat). */
export async function reachableOpenIds(db: Db, cadreIds: number[]): Promise<Map<number, string>> {
  if (cadreIds.length === 0) return new Map();
  const rows = await db.select({ id: cadres.id, openId: cadres.larkOpenId }).from(cadres).where(and(inArray(cadres.id, cadreIds), isNotNull(cadres.larkOpenId)));
  return new Map(rows.map((r) => [r.id, r.openId!]));
}

/** When each rater's invitation to a campaign was written (by the jobs' clock). */
export async function invitationTimes(db: Db, campaignId: number): Promise<Map<number, Date>> {
  const prefix = invitePrefix(campaignId);
  const rows = await db.select({ key: outbox.dedupeKey, at: outbox.createdAt }).from(outbox).where(like(outbox.dedupeKey, `${prefix}%`));
  return new Map(rows.map((r) => [Number(r.key!.slice(prefix.length)), r.at]));
}

/** The reminder slots each rater of a campaign was sent (their keys' last part). */
export async function remindersSent(db: Db, campaignId: number): Promise<Map<number, string[]>> {
  const prefix = reminderPrefix(campaignId);
  const rows = await db.select({ key: outbox.dedupeKey }).from(outbox).where(like(outbox.dedupeKey, `${prefix}%`));
  const byRater = new Map<number, string[]>();
  for (const { key } of rows) {
    const rest = key!.slice(prefix.length);
    const cut = rest.indexOf(':');
    const cadreId = Number(rest.slice(0, cut));
    byRater.set(cadreId, [...(byRater.get(cadreId) ?? []), rest.slice(cut + 1)]);
  }
  return byRater;
}

/** Invitation and reminder cards delivered to the given raters of a campaign: retired after closing. */
export async function deliveredCards(db: Db, campaignId: number, cadreIds: number[]) {
  if (cadreIds.length === 0) return [];
  return db
    .select({ id: outbox.id, recipient: outbox.recipient, cadreId: outbox.cadreId, larkMessageId: outbox.larkMessageId })
    .from(outbox)
    .where(
      and(
        eq(outbox.status, 'sent'),
        eq(outbox.kind, 'send'),
        isNotNull(outbox.larkMessageId),
        inArray(outbox.cadreId, cadreIds),
        sql`(${outbox.dedupeKey} like ${`${invitePrefix(campaignId)}%`} or ${outbox.dedupeKey} like ${`${reminderPrefix(campaignId)}%`})`,
      ),
    );
}

/** Admins who get the daily turnout digest in Lark: enabled, linked to Lark, unit or district. */
export async function digestRecipients(db: Db): Promise<PanelUser[]> {
  return db
    .select()
    .from(panelUsers)
    .where(and(isNotNull(panelUsers.larkOpenId), eq(panelUsers.disabled, false), inArray(panelUsers.role, ['unit_admin', 'district_admin'])));
}
