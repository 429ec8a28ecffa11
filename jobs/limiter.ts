/**
 * @module
 * Keeps sends within Lark's limits: at most `perSecond` in any sliding second and `perMinute`
 * in any sliding minute for the app, and `perRecipient` a second to one person or chat.
 * BullMQ's limiter is a fixed window (50 per 1000 ms lets up to ~100 through in a sliding
 * second), so the outbox worker asks this one before every call.
 *
 * A send occupies its slot from the moment it starts until one window after it *finished*:
 * Lark counts it on arrival, which lies somewhere in between, so counting from the finish can
 * never undercount, whatever the network's jitter.
 */
export interface Limits {
  perSecond: number;
  perMinute: number;
  perRecipient: number;
}

export interface SendLimiter {
  /** Resolves when a send to `recipient` may start. */
  acquire(recipient: string): Promise<void>;
  /** The send finished (well or not). */
  release(recipient: string): void;
  /** Sends finished before this limiter existed (read from the outbox after a restart). */
  seed(sends: Array<{ recipient: string; at: number }>): void;
}

export function createSendLimiter(limits: Limits, now: () => number = Date.now): SendLimiter {
  const finished: number[] = []; // sorted finish times, app-wide, last minute
  let inFlight = 0;
  const perRecipient = new Map<string, { finished: number[]; inFlight: number }>();
  const sleepers = new Set<() => void>();
  let releases = 0;

  const slot = (recipient: string) => {
    let s = perRecipient.get(recipient);
    if (!s) perRecipient.set(recipient, (s = { finished: [], inFlight: 0 }));
    return s;
  };

  /** How long to wait before a send to `recipient` may start; 0 = now. */
  function waitFor(recipient: string, t: number): number {
    while (finished.length > 0 && finished[0]! <= t - 60_000) finished.shift();
    let wait = 0;
    if (inFlight + finished.length >= limits.perMinute) {
      // The oldest finish leaves the minute window first; if all slots are in flight, poll.
      const freeing = finished[inFlight + finished.length - limits.perMinute];
      wait = Math.max(wait, freeing !== undefined ? freeing + 60_000 - t : 10);
    }
    const lastSecond = finished.filter((at) => at > t - 1000);
    if (inFlight + lastSecond.length >= limits.perSecond) {
      const freeing = lastSecond[inFlight + lastSecond.length - limits.perSecond];
      wait = Math.max(wait, freeing !== undefined ? freeing + 1000 - t : 10);
    }
    const mine = slot(recipient);
    mine.finished = mine.finished.filter((at) => at > t - 1000);
    if (mine.inFlight + mine.finished.length >= limits.perRecipient) {
      const freeing = mine.finished[mine.inFlight + mine.finished.length - limits.perRecipient];
      wait = Math.max(wait, freeing !== undefined ? freeing + 1000 - t : 10);
    }
    return wait;
  }

  return {
    async acquire(recipient) {
      for (;;) {
        const wait = waitFor(recipient, now());
        if (wait <= 0) break;
        // Wake on time, or earlier when a send finishes and may have freed an in-flight slot.
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            sleepers.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, wait + 1);
          sleepers.add(wake);
        });
      }
      inFlight++;
      slot(recipient).inFlight++;
    },
    release(recipient) {
      const t = now();
      inFlight = Math.max(0, inFlight - 1);
      finished.push(t);
      const mine = slot(recipient);
      mine.inFlight = Math.max(0, mine.inFlight - 1);
      mine.finished.push(t);
      if (++releases % 1000 === 0) {
        // Forget people not written to in the last second, so the map stays small.
        for (const [key, s] of perRecipient) if (s.inFlight === 0 && s.finished.every((at) => at <= t - 1000)) perRecipient.delete(key);
      }
      for (const wake of [...sleepers]) wake();
    },
    seed(sends) {
      for (const { recipient, at } of sends) {
        finished.push(at);
        slot(recipient).finished.push(at);
      }
      finished.sort((a, b) => a - b);
      for (const s of perRecipient.values()) s.finished.sort((a, b) => a - b);
    },
  };
}
