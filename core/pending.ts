/**
 * @module
 * What a cadre still has to do, across features (待办). Each feature registers a source; the
 * bot's "todo" command asks them all. Features own their rules; this module only gathers.
 */
import type { Logger } from './logger.ts';

export interface PendingItem {
  /** The feature, e.g. `evaluation`; items are grouped by it. */
  feature: string;
  title: string;
  /** e.g. "截止 12月1日". */
  detail?: string;
  /** Sorts the list; sooner first. */
  dueAt?: Date;
  /** What the button does: open a page, or run a card action (its value goes back in the callback). */
  open: { url: string } | { action: string; value?: Record<string, string | number> };
}

export type PendingSource = (cadreId: number) => Promise<PendingItem[]>;

export interface PendingRegistry {
  register(feature: string, source: PendingSource): void;
  /** Everything pending for a cadre; a failing source is logged and skipped, not fatal. */
  listFor(cadreId: number): Promise<PendingItem[]>;
}

export function createPendingRegistry(log?: Logger): PendingRegistry {
  const sources = new Map<string, PendingSource>();
  return {
    register(feature, source) {
      sources.set(feature, source);
    },
    async listFor(cadreId) {
      const lists = await Promise.all(
        [...sources.entries()].map(([feature, source]) =>
          source(cadreId).catch((err: unknown) => {
            log?.error({ err, feature, cadreId }, 'pending source failed');
            return [] as PendingItem[];
          }),
        ),
      );
      return lists.flat().sort((a, b) => (a.dueAt?.getTime() ?? Infinity) - (b.dueAt?.getTime() ?? Infinity));
    },
  };
}
