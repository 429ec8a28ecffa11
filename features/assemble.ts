/**
 * @module
 * Builds every feature and gathers their parts into what the application wires: the nav, the
 * panel's mounts, the bot's commands and card actions, the queues with their processors and
 * schedules, and the pending, review, inbox and timeline sources. Two features claiming the same card
 * action, command word, queue or name is an error at start, never a silent overwrite; a
 * review, inbox or timeline source that fails is logged and left out, so the page still renders.
 */
import type { PendingSource } from '../core/pending.ts';
import { inboxKey, type FeatureInbox } from '../core/review.ts';
import type { TimelineSource } from '../core/org/timeline.ts';
import type { CardActionHandler } from '../bot/router.ts';
import { ACTION_REFRESH_TODO, HELP_WORDS, TODO_WORDS } from '../bot/handlers/commands.ts';
import { ACTION_SHOW_TODO } from '../bot/cards/help.ts';
import { QUEUE, type QueueKit } from '../jobs/queues.ts';
import type { PendingRegistry } from '../core/pending.ts';
import type { PanelDeps, ReviewSource } from '../web/context.ts';
import type { Command, Feature, FeatureContext, FeatureJobs, FeatureParts, Mount, NavEntry } from './feature.ts';

export class FeatureConflictError extends Error {
  constructor(what: string, key: string, first: string, second: string) {
    super(`Features "${first}" and "${second}" both claim the ${what} "${key}".`);
    this.name = 'FeatureConflictError';
  }
}

/** What the shell itself owns (built-in commands, card actions and queues), so no feature takes them. */
export interface Reserved {
  commands?: readonly string[];
  cardActions?: readonly string[];
  queues?: readonly string[];
}

/** The bot's own commands and card actions, and the shell's queues. */
export const SHELL_RESERVED: Reserved = {
  commands: [...HELP_WORDS, ...TODO_WORDS],
  cardActions: [ACTION_SHOW_TODO, ACTION_REFRESH_TODO],
  queues: Object.values(QUEUE),
};

export interface AssembledFeatures {
  names: string[];
  /** Every feature's nav entries, in menu order. */
  nav: NavEntry[];
  mounts(panel: PanelDeps): Mount[];
  commands: Command[];
  cardActions: Map<string, CardActionHandler>;
  jobs: Array<FeatureJobs & { feature: string }>;
  pending: Array<{ feature: string; source: PendingSource }>;
  review: ReviewSource[];
  inbox: FeatureInbox[];
  timeline: TimelineSource[];
  installs: Array<{ feature: string; install: NonNullable<FeatureParts['install']> }>;
  seeds: Array<{ feature: string; seed: NonNullable<FeatureParts['seedDemo']> }>;
}

function claimer(what: string, reserved: readonly string[] = []) {
  const owners = new Map<string, string>(reserved.map((k) => [k, 'the shell']));
  return (key: string, feature: string) => {
    const owner = owners.get(key);
    if (owner) throw new FeatureConflictError(what, key, owner, feature);
    owners.set(key, feature);
  };
}

export function assembleFeatures(features: readonly Feature[], ctx: FeatureContext, reserved: Reserved = {}): AssembledFeatures {
  const claimName = claimer('name');
  const claimAction = claimer('card action', reserved.cardActions);
  const claimWord = claimer('command word', reserved.commands?.map((w) => w.toLowerCase()));
  const claimQueue = claimer('queue', reserved.queues);
  const out: AssembledFeatures = { names: [], nav: [], mounts: () => [], commands: [], cardActions: new Map(), jobs: [], pending: [], review: [], inbox: [], timeline: [], installs: [], seeds: [] };
  const routeMakers: Array<(panel: PanelDeps) => Mount[]> = [];

  for (const feature of features) {
    claimName(feature.name, feature.name);
    const parts = feature.build(ctx);
    out.names.push(feature.name);
    out.nav.push(...(parts.nav ?? []));
    if (parts.routes) routeMakers.push(parts.routes);
    for (const command of parts.commands ?? []) {
      for (const word of command.words) claimWord(word.toLowerCase(), feature.name);
      out.commands.push(command);
    }
    for (const [id, handler] of Object.entries(parts.cardActions ?? {})) {
      claimAction(id, feature.name);
      out.cardActions.set(id, handler);
    }
    if (parts.jobs) {
      claimQueue(parts.jobs.queue, feature.name);
      out.jobs.push({ ...parts.jobs, feature: feature.name });
    }
    if (parts.pending) out.pending.push({ feature: feature.name, source: parts.pending });
    for (const source of parts.review ?? []) {
      out.review.push((viewer) =>
        source(viewer).catch((err: unknown) => {
          ctx.log.error({ err, feature: feature.name }, 'review source failed; the dashboard shows the others');
          return [];
        }),
      );
    }
    for (const source of parts.inbox ?? []) {
      const name = feature.name;
      out.inbox.push({
        feature: name,
        label: source.label,
        // The shell names every item (feature, key), so no source can speak for another feature.
        list: (viewer) =>
          Promise.resolve().then(() => source.list(viewer)).then(
            (entries) => ({ items: entries.map((e) => ({ ...e, feature: name, key: inboxKey(name, e.kind, e.id) })), failed: false }),
            (err: unknown) => {
              ctx.log.error({ err, feature: name }, 'inbox source failed; the inbox shows the others');
              return { items: [], failed: true };
            },
          ),
      });
    }
    for (const source of parts.timeline ?? []) {
      out.timeline.push((db, cadreId, lang) =>
        source(db, cadreId, lang).catch((err: unknown) => {
          ctx.log.error({ err, feature: feature.name, cadreId }, 'timeline source failed; the profile shows the others');
          return [];
        }),
      );
    }
    if (parts.install) out.installs.push({ feature: feature.name, install: parts.install });
    if (parts.seedDemo) out.seeds.push({ feature: feature.name, seed: parts.seedDemo });
  }
  out.nav.sort((a, b) => a.order - b.order);
  out.mounts = (panel) => routeMakers.flatMap((make) => make(panel));
  return out;
}

/** What the panel takes from the features: menu entries, pages, queues, review, inbox and timeline sources. */
export function panelPartsOf(features: AssembledFeatures): Pick<PanelDeps, 'nav' | 'routes' | 'featureQueues' | 'review' | 'inbox' | 'timeline'> {
  return { nav: features.nav, routes: features.mounts, featureQueues: features.jobs.map((j) => j.queue), review: features.review, inbox: features.inbox, timeline: features.timeline };
}

/** Registers every feature's 待办 source with the bot's registry. */
export function registerPending(features: AssembledFeatures, registry: PendingRegistry): void {
  for (const { feature, source } of features.pending) registry.register(feature, source);
}

/** Starts a worker for each feature's queue and upserts its schedulers (stable ids: idempotent). */
export async function startFeatureJobs(features: AssembledFeatures, kit: Pick<QueueKit, 'queue' | 'worker'>): Promise<void> {
  for (const job of features.jobs) {
    kit.worker(job.queue, job.processor);
    await job.schedules?.(kit.queue(job.queue));
  }
}
