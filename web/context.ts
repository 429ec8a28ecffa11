/**
 * @module
 * What every panel handler can count on: its dependencies, the signed-in user and their scope,
 * the interface language, and a few request helpers.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Db } from '../db/client.ts';
import type { PanelUser } from '../db/schema/users.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { RequestContext, Scope, TimelineSource } from '../core/org.ts';
import type { QueueKit } from '../jobs/queues.ts';
import { dictionary, type Dictionary, type Lang } from './i18n.ts';

export interface PanelDeps {
  db: Db;
  log: Logger;
  clock: Clock;
  /** Base URL of the panel as people reach it (cookies are Secure when it is https). */
  publicUrl: string;
  /** Sandbox mode shows the chat simulator and signs in with Lark against the sandbox. */
  sandbox: boolean;
  lark: { domain: string; appId?: string; appSecret?: string };
  /** The job queues, for the jobs page; absent in tests that do not need it. */
  queues?: Pick<QueueKit, 'queue' | 'backend'>;
  /** Use X-Forwarded-For for the client address (only behind a proxy you run). */
  trustProxy?: boolean;
  /** Sources for the cadre timeline; later features add theirs. */
  timeline?: TimelineSource[];
  /** What the dashboard's "needs review" list shows; later features add their sources. */
  review?: ReviewSource[];
  /** For Lark sign-in calls; tests route them to the in-process sandbox. */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /**
   * Evaluation: the ballot key (from BALLOT_SEAL_SECRET). Seals the web ballot's draft and the
   * slips waiting for the box; absent, a random per-process key is used (mountPanel).
   */
  sealKey?: Buffer;
  /** Evaluation: verifies "在网页上填写" links from chat; defaults to `sealKey`. */
  ballotLinkKey?: Buffer;
  /** TZ_NAME: campaign times are entered and shown in it; ballots are dated by its day. */
  timeZone?: string;
  /** Called after a campaign opens, to send the invitations (the chat side queues them). */
  onCampaignOpened?: (campaignId: number) => Promise<void>;
}

/** For routes built without the panel's ballot key: a wiring mistake, never a request's fault. */
export function missingKey(where: string): never {
  throw new Error(`${where}: deps.sealKey is required (mountPanel provides it)`);
}

/** One thing a person should look at, e.g. "3 mentors are overdue". */
export interface ReviewItem {
  title: string;
  href: string;
  detail?: string;
}
/** Lists the review items for the signed-in user (within their scope). */
export type ReviewSource = (viewer: { user: PanelUser; scope: Scope }) => Promise<ReviewItem[]>;

export type PanelEnv = {
  Variables: {
    user: PanelUser;
    scope: Scope;
    lang: Lang;
    t: Dictionary;
  };
};

export type PanelContext = Context<PanelEnv>;

export function langOf(c: Context): Lang {
  return getCookie(c, 'lang') === 'en' ? 'en' : 'zh';
}

export function t(c: Context): Dictionary {
  return dictionary(langOf(c));
}

/**
 * The client's address. Behind a proxy (trustProxy) the first X-Forwarded-For hop; requests
 * made in-process (tests) have no socket and may name their address the same way.
 */
export function clientIp(c: Context, trustProxy = false): string | null {
  const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim() || null;
  if (trustProxy && forwarded) return forwarded;
  try {
    return getConnInfo(c).remote.address ?? forwarded;
  } catch {
    return forwarded;
  }
}

export function requestContext(c: PanelContext, deps: Pick<PanelDeps, 'trustProxy'>): RequestContext {
  return { actor: c.var.user, scope: c.var.scope, ip: clientIp(c, deps.trustProxy) };
}

/** htmx sends this for fragment requests; boosts and history restores say `full`. */
export function isPartial(c: Context): boolean {
  return c.req.header('HX-Request-Type') === 'partial';
}

/** A local path to return to after sign-in; anything else (another site) becomes `/`. */
export function safeNext(next: string | undefined | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}
