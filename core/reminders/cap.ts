/**
 * @module
 * A daily cap per person across features (default 6 proactive messages a day). A cadre who is a
 * mentor, a rater and a trainee at once would otherwise hear from the bot a dozen times on a busy
 * day; what is over the cap is merged into one digest card, and what still does not fit waits
 * for tomorrow (reminders are rebuilt from the database by every sweep, so nothing is lost).
 */

export const DEFAULT_DAILY_CAP = 6;

export interface CapResult<T> {
  /** Sent as their own messages. */
  send: T[];
  /** Merged into one digest card per recipient. */
  digests: Array<{ recipient: string; items: T[] }>;
  /** Left for a later day: the cap and today's digest are used up. */
  deferred: T[];
}

/**
 * Splits today's candidates by recipient under the cap. `sentToday` counts the proactive
 * messages a recipient already had today (digests included); candidates keep their order, which
 * is the caller's priority. The digest takes the last place under the cap, so a person never gets
 * more than `cap` messages in a day.
 */
export function applyDailyCap<T extends { recipient: string }>(candidates: readonly T[], sentToday: (recipient: string) => number, cap: number): CapResult<T> {
  const byRecipient = new Map<string, T[]>();
  for (const c of candidates) {
    const list = byRecipient.get(c.recipient);
    if (list) list.push(c);
    else byRecipient.set(c.recipient, [c]);
  }
  const result: CapResult<T> = { send: [], digests: [], deferred: [] };
  for (const [recipient, items] of byRecipient) {
    const room = cap - sentToday(recipient);
    if (items.length <= room) result.send.push(...items);
    else if (room <= 0) result.deferred.push(...items);
    else {
      result.send.push(...items.slice(0, room - 1));
      const rest = items.slice(room - 1);
      if (rest.length === 1) result.send.push(rest[0]!);
      else result.digests.push({ recipient, items: rest });
    }
  }
  return result;
}
