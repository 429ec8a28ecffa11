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
import type { Processor, Queue } from 'bullmq';
import type { Db } from '../db/client.ts';
import type { PanelRole } from '../db/schema/users.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { PendingSource } from '../core/pending.ts';
import type { InboxSource } from '../core/review.ts';
import type { TimelineSource } from '../core/org/timeline.ts';
import type { CardActionHandler, Command } from '../bot/router.ts';
import type { Mount, NavEntry, PanelDeps, ReviewSource } from '../web/context.ts';

export type { Command, Mount, NavEntry };

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

export interface FeatureJobs {
  /** The feature's own queue. */
  queue: string;
  processor: Processor;
  /** Upserts the feature's job schedulers (stable ids) at boot. */
  schedules?: (queue: Queue) => Promise<void>;
}

/** What one feature brings. Every part is optional. */
export interface FeatureParts {
  nav?: NavEntry[];
  /** Panel sub-apps and where they mount; order matters where paths overlap. */
  routes?: (panel: PanelDeps) => Mount[];
  commands?: Command[];
  cardActions?: Record<string, CardActionHandler>;
  jobs?: FeatureJobs;
  /** 待办: what a cadre still has to do. */
  pending?: PendingSource;
  /** The dashboard's "needs review" list. */
  review?: ReviewSource[];
  /** 审阅: what awaits an admin in the /review inbox, with the inline actions each item allows. */
  inbox?: InboxSource[];
  /** The cadre profile's timeline. */
  timeline?: TimelineSource[];
  /** What every installation needs, at every boot after the migrations (idempotent). */
  install?: (db: Db) => Promise<unknown>;
  /** Seeds the feature's part of the demo district; idempotent. */
  seedDemo?: (db: Db) => Promise<unknown>;
}

export interface Feature {
  /** One name in every layer: core/<name>, db/schema/<name>.ts, web/pages/<name>… */
  name: string;
  build(ctx: FeatureContext): FeatureParts;
}
