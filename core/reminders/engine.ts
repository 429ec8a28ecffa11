/**
 * @module
 * The reminder engine: features state their rules (who is owed what, for which slot, in which
 * send window); the engine decides what goes out now. A candidate is held while the recipient is
 * in quiet hours, on a day off (for working-day rules) or absent; the rest pass the daily cap,
 * which merges the overflow into a digest. Every message carries the key (purpose, recipient,
 * slot), which the outbox keeps unique, so a sweep that runs twice sends nothing twice.
 *
 * @example
 * const plan = planReminders(candidates, { now, timeZone, calendar, absencesOf, sentToday, dailyCap: 6 });
 * for (const c of plan.send) await addToOutbox(tx, { ...message(c), dedupeKey: c.dedupeKey });
 */
import { isAbsentOn, type Absence } from './absence.ts';
import { applyDailyCap } from './cap.ts';
import { localDay, localParts } from './time.ts';
import { isQuiet, type SendWindow, type WindowContext } from './window.ts';

export interface ReminderCandidate {
  /** What the message is for, e.g. `evaluation.reminder`; the first part of its key. */
  purpose: string;
  /** Who receives it (a Lark open_id). */
  recipient: string;
  /** The cadre behind the recipient, whose absences pause it; null for non-cadres (admins). */
  cadreId: number | null;
  /**
   * What the message is about, when one recipient can be owed the same slot for several things
   * (a rater in two campaigns: `12:345`); the recipient by default.
   */
  subject?: string;
  /** Which occurrence: `daily:2026-10-10`, `step2:urgent`, … */
  slot: string;
  window: SendWindow;
}

export interface EngineContext extends WindowContext {
  now: Date;
  absencesOf(cadreId: number): readonly Absence[];
  /** Proactive messages the recipient already had today, across features. */
  sentToday(recipient: string): number;
  dailyCap: number;
  /** Keys already written to the outbox; such candidates are neither sent again nor counted. */
  alreadySent?(key: string): boolean;
}

export type HoldReason = 'quiet' | 'day_off' | 'absent' | 'cap';

export type Keyed<T> = T & { dedupeKey: string };

export interface EnginePlan<T> {
  send: Array<Keyed<T>>;
  digests: Array<{ recipient: string; items: Array<Keyed<T>> }>;
  held: Array<{ item: Keyed<T>; reason: HoldReason }>;
}

/** The (purpose, recipient, slot) key that the outbox keeps unique; `subject` stands for the recipient when given. */
export function reminderKey(c: Pick<ReminderCandidate, 'purpose' | 'recipient' | 'subject' | 'slot'>): string {
  return `${c.purpose}:${c.subject ?? c.recipient}:${c.slot}`;
}

/** What may go out now, what waits and why. Pure: the sweep loads the context, then writes the plan. */
export function planReminders<T extends ReminderCandidate>(candidates: readonly T[], ctx: EngineContext): EnginePlan<T> {
  const today = localDay(ctx.now, ctx.timeZone);
  const p = localParts(ctx.now, ctx.timeZone);
  const minute = p.hour * 60 + p.minute;
  const workingDay = ctx.calendar.isWorkingDay(today);
  const held: EnginePlan<T>['held'] = [];
  const open: Array<Keyed<T>> = [];
  for (const c of candidates) {
    const item = { ...c, dedupeKey: reminderKey(c) };
    if (ctx.alreadySent?.(item.dedupeKey)) continue;
    if (isQuiet(minute, c.window.quietHours)) held.push({ item, reason: 'quiet' });
    else if (c.window.workingDaysOnly && !workingDay) held.push({ item, reason: 'day_off' });
    else if (c.cadreId != null && isAbsentOn(ctx.absencesOf(c.cadreId), today)) held.push({ item, reason: 'absent' });
    else open.push(item);
  }
  const capped = applyDailyCap(open, ctx.sentToday, ctx.dailyCap);
  for (const item of capped.deferred) held.push({ item, reason: 'cap' });
  return { send: capped.send, digests: capped.digests, held };
}
