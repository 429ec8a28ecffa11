/**
 * @module
 * What a feature is: one description of everything it brings to the application, so that
 * `main.ts`, the panel, the nav, the bot, the queues, the schedules and the demo loop over one
 * list instead of each naming every feature. A new feature is its own folders (core/<name>,
 * db/schema/<name>.ts, bot/…/<name>.ts, jobs/workers/<name>.ts, web/pages/<name>…) plus one line
 * in `features/index.ts`.
 *
 * This layer sits above the adapters: it may import web, bot, jobs and core; nothing below it
 * imports it.
 */
import type { Hono } from 'hono';
import type { Processor, Queue } from 'bullmq';
import type { Db } from '../db/client.ts';
import type { PanelRole } from '../db/schema/users.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { PendingSource } from '../core/pending.ts';
import type { TimelineSource } from '../core/org.ts';
import type { CardActionHandler, TextHandler } from '../bot/router.ts';
import type { PanelDeps, ReviewSource } from '../web/context.ts';
import type { Dictionary } from '../web/i18n.ts';

/** What every feature is given when the application is built (by main.ts, or by a test). */
export interface FeatureContext {
  db: Db;
  log: Logger;
  clock: Clock;
  /** TZ_NAME: the department's local time for schedules, quiet hours and days. */
  timeZone: string;
  publicUrl: string;
  sandbox: boolean;
  /** The ballot key (BALLOT_SEAL_SECRET, or one made at this start in the sandbox). */
  sealKey: Buffer;
  /** A queue by name, to add jobs to; absent where no queues run (the bot alone in some tests). */
  queue?: (name: string) => Queue;
  /** Puts committed outbox rows on the outbox queue. */
  flushOutbox: (ids: string[]) => Promise<void>;
}

/** An entry in the panel's menu. */
export interface NavEntry {
  href: string;
  label: (t: Dictionary) => string;
  /** Who sees the entry; the pages check the same roles themselves. */
  roles: readonly PanelRole[];
  /** Place in the menu: lower first. The shell's own entries use multiples of 10. */
  order: number;
}

/** A text command: the exact words (any case) that start it, in every language. */
export interface Command {
  words: readonly string[];
  handle: TextHandler;
}

export interface FeatureJobs {
  /** The feature's own queue. */
  queue: string;
  processor: Processor;
  /** Upserts the feature's job schedulers (stable ids) at boot. */
  schedules?: (queue: Queue) => Promise<void>;
}

/** A panel sub-app and where it is mounted. Order matters where paths overlap. */
export interface Mount {
  path: string;
  app: Hono<any>;
}

/** What one feature brings. Every part is optional. */
export interface FeatureParts {
  nav?: NavEntry[];
  routes?: (panel: PanelDeps) => Mount[];
  commands?: Command[];
  cardActions?: Record<string, CardActionHandler>;
  jobs?: FeatureJobs;
  /** 待办: what a cadre still has to do. */
  pending?: PendingSource;
  /** The dashboard's "needs review" list. */
  review?: ReviewSource[];
  /** The cadre profile's timeline. */
  timeline?: TimelineSource[];
  /** Seeds the feature's part of the demo district; idempotent. */
  seedDemo?: (db: Db) => Promise<unknown>;
}

export interface Feature {
  /** One name in every layer: core/<name>, db/schema/<name>.ts, web/pages/<name>… */
  name: string;
  build(ctx: FeatureContext): FeatureParts;
}
