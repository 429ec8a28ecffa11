/**
 * @module
 * Check-ins from the chat: a mentor logs a meeting (or says "not yet", with a reason and a new
 * date), and a mentee confirms it or says it is not right. Only a mentor of the pair may log
 * for it and only its mentee may answer, whatever a card's value says; a check-in is answered
 * once. Errors are codes the card words in the reader's language; every change is audited
 * (by the system, with the cadre who acted: chat users are not panel users).
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { cadres } from '../../db/schema/org.ts';
import {
  mentorshipCheckins,
  mentorshipForm,
  mentorshipGoals,
  mentorshipMembers,
  mentorshipPairs,
  mentorshipPostponements,
  mentorshipProgress,
  type MentorshipCheckin,
  type MentorshipGoal,
  type MentorshipPair,
} from '../../db/schema/mentorship.ts';
import { audit } from '../audit.ts';
import { isDay } from '../dates.ts';
import { hasControlChars } from '../validation.ts';
import type { Executor } from '../outbox.ts';

export const CHECKIN_FORMS = mentorshipForm.enumValues;
export const PROGRESS_LEVELS = [1, 2, 3, 4] as const;

export interface PairForCheckin {
  pair: MentorshipPair;
  goals: MentorshipGoal[];
  mentors: Array<{ cadreId: number; name: string }>;
  mentees: Array<{ cadreId: number; name: string; larkOpenId: string | null }>;
}

async function pairForCheckin(tx: Executor, pairId: number): Promise<PairForCheckin | null> {
  const [pair] = await tx.select().from(mentorshipPairs).where(eq(mentorshipPairs.id, pairId));
  if (!pair) return null;
  const [goals, members] = await Promise.all([
    tx.select().from(mentorshipGoals).where(eq(mentorshipGoals.pairId, pairId)).orderBy(asc(mentorshipGoals.position)),
    tx
      .select({ cadreId: cadres.id, name: cadres.name, larkOpenId: cadres.larkOpenId, role: mentorshipMembers.role })
      .from(mentorshipMembers)
      .innerJoin(cadres, eq(cadres.id, mentorshipMembers.cadreId))
      .where(eq(mentorshipMembers.pairId, pairId))
      .orderBy(asc(mentorshipMembers.position)),
  ]);
  return {
    pair,
    goals: goals.filter((g) => g.status !== 'dropped'),
    mentors: members.filter((m) => m.role === 'mentor').map(({ cadreId, name }) => ({ cadreId, name })),
    mentees: members.filter((m) => m.role === 'mentee').map(({ cadreId, name, larkOpenId }) => ({ cadreId, name, larkOpenId })),
  };
}

/** The pair, when `mentorId` is one of its mentors and it is active; null otherwise (never a hint which). */
export async function pairOfMentor(tx: Executor, pairId: number, mentorId: number): Promise<PairForCheckin | null> {
  const found = await pairForCheckin(tx, pairId);
  if (!found || found.pair.status !== 'active' || !found.mentors.some((m) => m.cadreId === mentorId)) return null;
  return found;
}

/** The active pairs in which the cadre is a mentor. */
export async function activePairsOfMentor(tx: Executor, mentorId: number): Promise<PairForCheckin[]> {
  const rows = await tx
    .select({ pairId: mentorshipMembers.pairId })
    .from(mentorshipMembers)
    .innerJoin(mentorshipPairs, eq(mentorshipPairs.id, mentorshipMembers.pairId))
    .where(and(eq(mentorshipMembers.cadreId, mentorId), eq(mentorshipMembers.role, 'mentor'), eq(mentorshipPairs.status, 'active')))
    .orderBy(asc(mentorshipMembers.pairId));
  const pairs = await Promise.all(rows.map((r) => pairForCheckin(tx, r.pairId)));
  return pairs.filter((p): p is PairForCheckin => p !== null);
}

export type CheckinIssue = 'met' | 'metOn' | 'future' | 'beforeStart' | 'form' | 'topics' | 'progress' | 'reason' | 'newDate' | 'tooLong';

/** What the check-in form sent, as strings (Lark's date picker adds a zone: `2026-03-10 +0800`). */
export type CheckinForm = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const dayOf = (v: unknown) => str(v).slice(0, 10);
const line = (v: string, max: number) => v.length <= max && !hasControlChars(v, { multiline: true });

export type LogResult =
  | { ok: true; kind: 'met'; checkinId: number }
  | { ok: true; kind: 'not_yet'; newDate: string }
  | { ok: false; issue: CheckinIssue };

/**
 * Logs what the mentor sent for a pair they are a mentor of (the caller has checked with
 * `pairOfMentor`). `today` is the local day: a meeting cannot be in the future, a new date
 * cannot be in the past.
 */
export async function logCheckin(tx: Executor, found: PairForCheckin, mentorId: number, form: CheckinForm, today: string): Promise<LogResult> {
  const met = str(form.met);
  if (met === 'not_yet') {
    const reason = str(form.reason);
    const newDate = dayOf(form.newDate);
    if (!reason) return { ok: false, issue: 'reason' };
    if (!line(reason, 200)) return { ok: false, issue: 'tooLong' };
    if (!isDay(newDate) || newDate < today) return { ok: false, issue: 'newDate' };
    await tx.insert(mentorshipPostponements).values({ pairId: found.pair.id, mentorId, reason, newDate });
    await audit(tx, { actorId: null, action: 'postpone', entity: 'mentorship_pair', entityId: found.pair.id, diff: { mentorId, newDate } });
    return { ok: true, kind: 'not_yet', newDate };
  }
  if (met !== 'yes') return { ok: false, issue: 'met' };
  const metOn = dayOf(form.metOn);
  if (!isDay(metOn)) return { ok: false, issue: 'metOn' };
  if (metOn > today) return { ok: false, issue: 'future' };
  if (metOn < found.pair.startsOn) return { ok: false, issue: 'beforeStart' };
  const kind = str(form.form);
  if (!(CHECKIN_FORMS as readonly string[]).includes(kind)) return { ok: false, issue: 'form' };
  const topics = str(form.topics);
  if (!topics) return { ok: false, issue: 'topics' };
  const nextStep = str(form.nextStep);
  if (!line(topics, 500) || !line(nextStep, 300)) return { ok: false, issue: 'tooLong' };
  const levels: Array<{ goalId: number; level: number }> = [];
  for (const goal of found.goals) {
    const raw = str(form[`g${goal.id}`]);
    if (raw === '') continue;
    const level = Number(raw);
    if (!(PROGRESS_LEVELS as readonly number[]).includes(level)) return { ok: false, issue: 'progress' };
    levels.push({ goalId: goal.id, level });
  }
  const [row] = await tx
    .insert(mentorshipCheckins)
    .values({ pairId: found.pair.id, mentorId, metOn, form: kind as MentorshipCheckin['form'], topics, nextStep: nextStep || null })
    .returning({ id: mentorshipCheckins.id });
  if (levels.length) await tx.insert(mentorshipProgress).values(levels.map((l) => ({ checkinId: row!.id, ...l })));
  await audit(tx, { actorId: null, action: 'create', entity: 'mentorship_checkin', entityId: row!.id, diff: { pairId: found.pair.id, mentorId, metOn } });
  return { ok: true, kind: 'met', checkinId: row!.id };
}

export interface CheckinToAnswer {
  checkin: MentorshipCheckin;
  mentorName: string;
  found: PairForCheckin;
}

/** A check-in for its mentee to answer; null when the cadre is not a mentee of its pair. */
export async function checkinForMentee(tx: Executor, checkinId: number, menteeId: number): Promise<CheckinToAnswer | null> {
  const [row] = await tx
    .select({ checkin: mentorshipCheckins, mentorName: cadres.name })
    .from(mentorshipCheckins)
    .innerJoin(cadres, eq(cadres.id, mentorshipCheckins.mentorId))
    .where(eq(mentorshipCheckins.id, checkinId));
  if (!row) return null;
  const found = await pairForCheckin(tx, row.checkin.pairId);
  if (!found || !found.mentees.some((m) => m.cadreId === menteeId)) return null;
  return { checkin: row.checkin, mentorName: row.mentorName, found };
}

export type AnswerResult = { ok: true } | { ok: false; issue: 'answered' | 'tooLong' };

/** The mentee's answer, once: a second click (or the other mentee's) finds it answered. */
export async function answerCheckin(tx: Executor, checkinId: number, menteeId: number, verdict: 'confirmed' | 'disputed', note: string, now: Date): Promise<AnswerResult> {
  const text = note.trim();
  if (!line(text, 300)) return { ok: false, issue: 'tooLong' };
  const updated = await tx
    .update(mentorshipCheckins)
    .set({ status: verdict, menteeNote: text || null, answeredBy: menteeId, answeredAt: now })
    .where(and(eq(mentorshipCheckins.id, checkinId), eq(mentorshipCheckins.status, 'submitted')))
    .returning({ id: mentorshipCheckins.id });
  if (updated.length === 0) return { ok: false, issue: 'answered' };
  await audit(tx, { actorId: null, action: verdict === 'confirmed' ? 'confirm' : 'dispute', entity: 'mentorship_checkin', entityId: checkinId, diff: { menteeId } });
  return { ok: true };
}

/** Check-ins still waiting for this mentee, oldest first (their 待办). */
export async function unansweredFor(tx: Executor, menteeId: number): Promise<Array<{ id: number; metOn: string; mentorName: string }>> {
  const pairs = await tx
    .select({ pairId: mentorshipMembers.pairId })
    .from(mentorshipMembers)
    .where(and(eq(mentorshipMembers.cadreId, menteeId), eq(mentorshipMembers.role, 'mentee')));
  if (pairs.length === 0) return [];
  return tx
    .select({ id: mentorshipCheckins.id, metOn: mentorshipCheckins.metOn, mentorName: cadres.name })
    .from(mentorshipCheckins)
    .innerJoin(cadres, eq(cadres.id, mentorshipCheckins.mentorId))
    .where(and(inArray(mentorshipCheckins.pairId, pairs.map((p) => p.pairId)), eq(mentorshipCheckins.status, 'submitted')))
    .orderBy(asc(mentorshipCheckins.createdAt));
}
