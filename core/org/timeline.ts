/**
 * @module
 * A cadre's timeline: entries from every source (the record's own changes here, features add
 * theirs), newest first.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { auditLog } from '../../db/schema/audit.ts';
import type { Db } from '../../db/client.ts';

/** One entry on a cadre's timeline; later features (evaluations, mentorship, …) add sources. */
export interface TimelineEntry {
  at: Date;
  kind: string;
  title: string;
  detail?: string;
  /** Fields a record change touched; the panel shows their labels. */
  fields?: string[];
  /** A panel page with more about the entry (e.g. an evaluation's results). */
  href?: string;
}
/** A source words its entries' details in the reader's language. */
export type TimelineSource = (db: Db, cadreId: number, lang: 'zh' | 'en') => Promise<TimelineEntry[]>;

/** Changes to the record itself, from the audit log. */
export const recordChanges: TimelineSource = async (db, cadreId) => {
  const rows = await db
    .select({ at: auditLog.at, action: auditLog.action, diff: auditLog.diff })
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'cadre'), eq(auditLog.entityId, String(cadreId)), inArray(auditLog.action, ['create', 'update', 'import'])))
    .orderBy(desc(auditLog.at))
    .limit(50);
  return rows.map((r) => ({
    at: r.at,
    kind: `record_${r.action}`,
    title: r.action,
    fields: r.action === 'update' && r.diff && typeof r.diff === 'object' ? Object.keys(r.diff as object) : undefined,
  }));
};

export async function cadreTimeline(db: Db, cadreId: number, sources: TimelineSource[], lang: 'zh' | 'en' = 'zh'): Promise<TimelineEntry[]> {
  const all = (await Promise.all(sources.map((s) => s(db, cadreId, lang)))).flat();
  return all.sort((a, b) => b.at.getTime() - a.at.getTime());
}
