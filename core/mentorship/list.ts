/**
 * @module
 * The pairs list's filters (in the URL, so parsed from strings; a bad value means "no filter")
 * and how they narrow, order and page the pair summaries.
 */
import { z } from 'zod';
import { filterText } from '../validation.ts';
import { toId } from '../ids.ts';
import { CADENCES, HEALTHS } from './due.ts';
import { PAIR_STATUSES } from './pairs.ts';
import type { PairSummary } from './summaries.ts';

export const PAIR_SORTS = ['next_due', 'fewest_meetings', 'last_checkin'] as const;
export const PAIRS_PAGE_SIZE = 20;

export const pairFilterSchema = z.object({
  q: filterText(30),
  unit: z.string().optional().transform((v) => toId(v) ?? undefined).catch(undefined),
  cadence: z.enum(CADENCES).optional().catch(undefined),
  status: z.enum(PAIR_STATUSES).optional().catch(undefined),
  health: z.enum(HEALTHS).optional().catch(undefined),
  sort: z.enum(PAIR_SORTS).default('next_due').catch('next_due'),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
});
export type PairFilters = z.infer<typeof pairFilterSchema>;

export function parsePairFilters(query: Record<string, string | undefined>): PairFilters {
  return pairFilterSchema.parse(query);
}

/** The filtered pairs in list order (no paging): what the page shows a slice of and the export holds. */
export function filterPairs(all: readonly PairSummary[], f: PairFilters, unitIds?: ReadonlySet<number>): PairSummary[] {
  const q = f.q?.toLowerCase();
  const rows = all.filter(
    (p) =>
      (!q || [...p.mentors, ...p.mentees].some((m) => m.name.toLowerCase().includes(q))) &&
      (!unitIds || [...p.mentors, ...p.mentees].some((m) => unitIds.has(m.unitId))) &&
      (!f.cadence || p.cadence === f.cadence) &&
      (!f.status || p.status === f.status) &&
      (!f.health || p.health === f.health),
  );
  const far = '9999-12-31';
  const by: Record<PairFilters['sort'], (a: PairSummary, b: PairSummary) => number> = {
    next_due: (a, b) => (a.nextDue ?? far).localeCompare(b.nextDue ?? far),
    fewest_meetings: (a, b) => a.confirmedCount - b.confirmedCount,
    last_checkin: (a, b) => (a.lastConfirmedOn ?? '').localeCompare(b.lastConfirmedOn ?? ''),
  };
  // Ties keep the pairs' age order, so a page boundary does not move between requests.
  return rows.sort((a, b) => by[f.sort](a, b) || a.id - b.id);
}

export function pageOf<T>(rows: readonly T[], page: number, size = PAIRS_PAGE_SIZE): T[] {
  return rows.slice((page - 1) * size, page * size);
}
