/**
 * @module
 * What every panel handler can count on: its dependencies, the signed-in user and their scope,
 * the interface language, and a few request helpers.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { TrustProxy } from '../config.ts';
import type { Hono } from 'hono';
import type { Db } from '../db/client.ts';
import type { PanelRole, PanelUser } from '../db/schema/users.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { RequestContext, Scope } from '../core/org/scope.ts';
import type { TimelineSource } from '../core/org/timeline.ts';
import type { QueueKit } from '../jobs/queues.ts';
import type { FeatureInbox } from '../core/review.ts';
import { dictionary, type Dictionary, type Lang } from './i18n.ts';
import { clientAddress } from './client-address.ts';

/** An entry in the panel's menu: the shell's own, and each feature's. */
export interface NavEntry {
  /** Names the entry's icon (`icon-<key>` in panel.css). */
  key: string;
  href: string;
  /** The shell's entries read the shell's dictionary; a feature's may read its own by `lang`. */
  label: (t: Dictionary, lang: Lang) => string;
  /** Who sees the entry: a role group of core/roles.ts; the pages check the matching permission themselves. */
  roles: readonly PanelRole[] | 'all';
  /** Place in the menu, lower first; the shell's entries use multiples of 10. */
  order: number;
  sandboxOnly?: boolean;
}

/** A panel sub-app and the path it is mounted at. */
export interface Mount {
  path: string;
  app: Hono<any>;
}

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
  /** TRUST_PROXY: which X-Forwarded-For entries name the client; absent, none (the socket's address). */
  trustProxy?: TrustProxy;
  /** The features' menu entries, merged with the shell's by their order. */
  nav?: NavEntry[];
  /** The features' queues, listed on the jobs page after the shell's. */
  featureQueues?: string[];
  /** The features' panel sub-apps, mounted after the shell's pages. */
  routes?: (panel: PanelDeps) => Mount[];
  /** Sources for the cadre timeline; later features add theirs. */
  timeline?: TimelineSource[];
  /** What the dashboard's "needs review" list shows; later features add their sources. */
  review?: ReviewSource[];
  /** The features' sources for the /review inbox (审阅). */
  inbox?: FeatureInbox[];
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
/** Lists the review items for the signed-in user (within their scope), worded in their language (Chinese if unsaid). */
export type ReviewSource = (viewer: { user: PanelUser; scope: Scope; lang?: Lang }) => Promise<ReviewItem[]>;

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
 * The client's address: the socket's, or behind trusted proxies the one they forwarded (see
 * web/client-address.ts). Requests made in-process (tests) have no socket.
 */
export function clientIp(c: Context, trustProxy?: TrustProxy): string | null {
  let socket: string | null = null;
  try {
    socket = getConnInfo(c).remote.address ?? null;
  } catch {
    // No Node socket: an in-process request.
  }
  return clientAddress(socket, c.req.header('x-forwarded-for'), trustProxy);
}

export function requestContext(c: PanelContext, deps: Pick<PanelDeps, 'trustProxy'>): RequestContext {
  return { actor: c.var.user, scope: c.var.scope, ip: clientIp(c, deps.trustProxy) };
}

/** htmx sends this for fragment requests; boosts and history restores say `full`. */
export function isPartial(c: Context): boolean {
  return c.req.header('HX-Request-Type') === 'partial';
}

const LOCAL_BASE = 'http://miaopu.invalid';

/** Decodes every well-formed run of %XX; a malformed one (a lone `%`, broken UTF-8) stays as it is. */
function decodeLeniently(s: string): string {
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * A local path to return to (after sign-in, a language switch); anything else becomes `/`.
 * Accepted: `/` followed by a path character, `?`, `#` or nothing, judged after every layer of
 * percent-decoding, with no control character (tab, newline: browsers drop them, so `/\t/x`
 * would become `//x`) and no backslash anywhere (browsers read it as `/`). So `//evil.example`,
 * `/\\evil.example`, `/%2F%2Fevil.example`, `/%5Cevil.example`, `/%09/evil.example` and
 * `https://evil.example` all become `/`. The answer is percent-encoded ASCII, safe in a Location.
 * @example safeNext('/cadres?q=王') // '/cadres?q=%E7%8E%8B'
 */
export function safeNext(next: string | undefined | null): string {
  if (typeof next !== 'string' || next.length > 2048 || !isLocalPath(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, LOCAL_BASE);
  } catch {
    return '/';
  }
  // Dot segments resolve away: `/.//x` would come out as `//x`, so the result is judged again.
  const local = `${url.pathname}${url.search}${url.hash}`;
  return url.origin === LOCAL_BASE && isLocalPath(local) ? local : '/';
}

function isLocalPath(path: string): boolean {
  let decoded = path;
  for (let layer = 0; layer < 5; layer++) {
    const once = decodeLeniently(decoded);
    if (once === decoded) break;
    decoded = once;
  }
  return [path, decoded].every((p) => !/[\u0000-\u001f\u007f\\]/.test(p) && /^\/(?:$|[^/])/.test(p));
}
