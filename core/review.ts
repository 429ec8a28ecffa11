/**
 * @module
 * The review inbox (审阅): the one place where every feature puts what awaits an admin. A feature
 * brings an `InboxSource` that lists its items for a viewer within their scope and decides what
 * is still pending, so an item handled elsewhere (a turnout that recovered, a record accepted on
 * its own page) is simply no longer listed. The shell keeps what an office did with an item (read,
 * accepted, declined, a comment) in `review_marks`, filters and annotates by it, and audits it.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { reviewMarks, type ReviewMark, type ReviewState } from '../db/schema/review.ts';
import type { PanelUser } from '../db/schema/users.ts';
import { audit } from './audit.ts';
import { inScope, type RequestContext, type Scope } from './org/scope.ts';
import { localDay } from './reminders/time.ts';

export const INBOX_ACTIONS = ['read', 'comment', 'accept', 'decline'] as const;
export type InboxAction = (typeof INBOX_ACTIONS)[number];

/** Who is looking, and in which language the source words its titles. */
export interface InboxViewer {
  user: Pick<PanelUser, 'id' | 'role' | 'unitId'>;
  scope: Scope;
  lang: 'zh' | 'en';
}

/** One item as a feature lists it; the shell adds the feature's name and the key. */
export interface InboxEntry {
  /** What sort of item it is within the feature (`flagged`, `check_in`, …). */
  kind: string;
  /** Worded in the viewer's language, for the row's badge. */
  kindLabel: string;
  /** Stable for the item's life: with feature and kind it names the item's marks. */
  id: string;
  title: string;
  unit: { id: number; name: string };
  cadre?: { id: number; name: string };
  submittedAt: Date;
  /** The page where the item is handled in full. */
  href: string;
  detail?: string;
  /** The inline actions the item supports. */
  actions: readonly InboxAction[];
}

export interface InboxItem extends InboxEntry {
  feature: string;
  /** `<feature>:<kind>:<id>`. */
  key: string;
}

export interface InboxSource {
  /** The feature's name as the viewer reads it, for the filter and the counts. */
  label: (lang: InboxViewer['lang']) => string;
  /** What still awaits the viewer, within their scope. */
  list: (viewer: InboxViewer) => Promise<InboxEntry[]>;
}

/** A source as the shell holds it: named, and isolated (a failure is logged and says so). */
export interface FeatureInbox {
  feature: string;
  label: InboxSource['label'];
  list: (viewer: InboxViewer) => Promise<{ items: InboxItem[]; failed: boolean }>;
}

export function inboxKey(feature: string, kind: string, id: string): string {
  return `${feature}:${kind}:${id}`;
}

/**
 * The office whose marks a viewer shares: `district` for district-wide users, else the unit's.
 * Viewers read the marks of their office but never write them.
 */
export function officeOf(viewer: Pick<InboxViewer, 'user' | 'scope'>): string {
  return viewer.scope.kind === 'all' || viewer.user.unitId == null ? 'district' : `unit:${viewer.user.unitId}`;
}

export const INBOX_AGES = ['today', 'week', 'older'] as const;
export type InboxAge = (typeof INBOX_AGES)[number];
export const INBOX_STATES = ['open', 'done'] as const;
export type InboxStateFilter = (typeof INBOX_STATES)[number];
export const INBOX_PAGE_SIZE = 20;

export interface InboxFilters {
  feature?: string;
  unit?: number;
  age?: InboxAge;
  /** `open` (the default): not yet read, accepted or declined; `done`: the rest. */
  state: InboxStateFilter;
  page: number;
}

/** Reads the filters from a query string; anything unknown falls back to no filter. */
export function parseInboxFilters(query: Record<string, string | undefined>): InboxFilters {
  const unit = Number(query.unit);
  const page = Number(query.page);
  return {
    feature: query.feature && /^[a-z][a-z0-9_-]{0,39}$/.test(query.feature) ? query.feature : undefined,
    unit: Number.isSafeInteger(unit) && unit > 0 ? unit : undefined,
    age: (INBOX_AGES as readonly string[]).includes(query.age ?? '') ? (query.age as InboxAge) : undefined,
    state: query.state === 'done' ? 'done' : 'open',
    page: Number.isSafeInteger(page) && page > 0 && page < 10_000 ? page : 1,
  };
}

/** Today (local day), this week (the last 7 days, today excepted) or older than 7 days. */
export function ageOf(at: Date, now: Date, timeZone: string): InboxAge {
  if (localDay(at, timeZone) === localDay(now, timeZone)) return 'today';
  return now.getTime() - at.getTime() <= 7 * 86_400_000 ? 'week' : 'older';
}

export type AnnotatedItem = InboxItem & { mark?: ReviewMark & { actorName?: string | null } };

export interface InboxView {
  /** Every item in scope, newest first, for the counts and the filter menus. */
  all: AnnotatedItem[];
  /** The features whose source failed (logged where it failed): the list is incomplete. */
  failed: string[];
}

/**
 * Everything the viewer's sources list, each item in scope only (a source that lists another
 * unit's item is overruled, not trusted), with its office's mark.
 */
export async function gatherInbox(db: Db, sources: readonly FeatureInbox[], viewer: InboxViewer): Promise<InboxView> {
  const lists = await Promise.all(sources.map((s) => s.list(viewer)));
  const failed = sources.filter((_, i) => lists[i]!.failed).map((s) => s.feature);
  const items = lists.flatMap((l) => l.items).filter((item) => inScope(viewer.scope, item.unit.id));
  const marks = await marksOf(db, officeOf(viewer), items.map((i) => i.key));
  const all = items.map((item) => ({ ...item, mark: marks.get(item.key) }));
  all.sort((a, b) => b.submittedAt.getTime() - a.submittedAt.getTime() || a.key.localeCompare(b.key));
  return { all, failed };
}

export function isDone(item: AnnotatedItem): boolean {
  return item.mark?.state != null;
}

/** The items the filters keep, all of them (the page takes its slice; the export takes all). */
export function filterInbox(items: readonly AnnotatedItem[], f: Omit<InboxFilters, 'page'>, now: Date, timeZone: string, except?: 'feature'): AnnotatedItem[] {
  return items.filter(
    (i) =>
      (except === 'feature' || !f.feature || i.feature === f.feature) &&
      (!f.unit || i.unit.id === f.unit) &&
      (!f.age || ageOf(i.submittedAt, now, timeZone) === f.age) &&
      (f.state === 'done' ? isDone(i) : !isDone(i)),
  );
}

async function marksOf(db: Db, office: string, keys: string[]): Promise<Map<string, ReviewMark & { actorName: string | null }>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .select({ mark: reviewMarks, actorName: sql<string | null>`(select display_name from panel_users u where u.id = ${reviewMarks.actorId})` })
    .from(reviewMarks)
    .where(and(eq(reviewMarks.office, office), inArray(reviewMarks.itemKey, keys)));
  return new Map(rows.map((r) => [r.mark.itemKey, { ...r.mark, actorName: r.actorName }]));
}

const STATE_OF: Record<Exclude<InboxAction, 'comment'>, ReviewState> = { read: 'read', accept: 'accepted', decline: 'declined' };

export type MarkResult = { ok: true; item: AnnotatedItem } | { ok: false; error: 'not_found' | 'not_supported' | 'comment_empty' | 'comment_long' };
export const COMMENT_MAX = 500;

/**
 * Applies an inline action to an item the viewer's sources still list (anything else is
 * `not_found`, whatever its key: scope and pendency are the sources' to decide), in one
 * transaction with its audit row. A comment keeps the item's state; a state keeps its comment.
 */
export async function markInboxItem(
  db: Db,
  sources: readonly FeatureInbox[],
  ctx: RequestContext & { lang: InboxViewer['lang']; now: Date; actorName: string },
  key: string,
  action: InboxAction,
  comment?: string,
): Promise<MarkResult> {
  const viewer: InboxViewer = { user: ctx.actor, scope: ctx.scope, lang: ctx.lang };
  const feature = key.split(':', 1)[0];
  const { all } = await gatherInbox(db, sources.filter((s) => s.feature === feature), viewer);
  const item = all.find((i) => i.key === key);
  if (!item) return { ok: false, error: 'not_found' };
  if (!item.actions.includes(action)) return { ok: false, error: 'not_supported' };
  const text = comment?.trim() ?? '';
  if (action === 'comment' && text === '') return { ok: false, error: 'comment_empty' };
  if (action === 'comment' && text.length > COMMENT_MAX) return { ok: false, error: 'comment_long' };
  const office = officeOf(viewer);
  const change = action === 'comment' ? { comment: text } : { state: STATE_OF[action] };
  const now = ctx.now;
  const mark = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(reviewMarks)
      .values({ itemKey: key, office, actorId: ctx.actor.id, at: now, ...change })
      .onConflictDoUpdate({ target: [reviewMarks.itemKey, reviewMarks.office], set: { actorId: ctx.actor.id, at: now, ...change } })
      .returning();
    await audit(tx, { actorId: ctx.actor.id, action: `review_${action}`, entity: 'review_item', entityId: key, diff: { office, ...change }, ip: ctx.ip });
    return row!;
  });
  return { ok: true, item: { ...item, mark: { ...mark, actorName: ctx.actorName } } };
}
