/**
 * @module
 * Democratic evaluation (民主测评) as a feature: its pages (campaigns, templates, results, the
 * web ballot), the ballot in the chat and its 待办 items, its queue (invitations, reminder
 * sweeps, closing, digests, "remind me later"), its review items and its timeline entries.
 */
import { evaluationCardActions, evaluationPending } from '../bot/handlers/evaluation.ts';
import { evaluationTimeline } from '../web/pages/evaluation/timeline.ts';
import { ensureBuiltInTemplates } from '../core/evaluation/templates.ts';
import { upsertEvaluationSchedules } from '../jobs/schedules.ts';
import { EVALUATION_QUEUE, enqueueCampaignOpened, evaluationProcessor, scheduleSnooze } from '../jobs/workers/evaluation.ts';
import { evaluationRoutes } from '../web/pages/evaluation.tsx';
import { ballotRoutes } from '../web/pages/evaluation/ballot.tsx';
import { evaluationReviewSource } from '../web/pages/evaluation/review.ts';
import { evaluationInbox } from '../web/pages/evaluation/inbox.ts';
import { evaluationDictionary } from '../web/pages/evaluation/text.ts';
import { resultsReview, resultsRoutes } from '../web/pages/evaluation/results/index.tsx';
import type { Feature } from './feature.ts';
import { READERS } from '../core/roles.ts';

export const evaluation: Feature = {
  name: 'evaluation',
  build(ctx) {
    const queue = ctx.queue?.(EVALUATION_QUEUE);
    const { db, clock, timeZone, sealKey, publicUrl } = ctx;
    return {
      nav: [{ key: 'evaluation', href: '/evaluation', label: (_t, lang) => evaluationDictionary(lang).evaluation.nav, roles: READERS, order: 40 }],
      routes: (panel) => {
        const deps = {
          ...panel,
          // One ballot key for chat, web ballot, closing and paper imports: the feature's.
          sealKey,
          timeZone: panel.timeZone ?? timeZone,
          onCampaignOpened: panel.onCampaignOpened ?? (queue ? (id: number) => enqueueCampaignOpened(queue, id) : undefined),
        };
        return [
          // Results first: /evaluation/:id/results…, /evaluation/compare (full paths, own guards),
          // so the admin sub-app's /evaluation/:id routes and guards never shadow them.
          { path: '/', app: resultsRoutes(deps) },
          { path: '/evaluation', app: evaluationRoutes(deps) },
          // The web ballot, which needs no sign-in.
          { path: '/', app: ballotRoutes(deps) },
        ];
      },
      cardActions: evaluationCardActions({ db, clock, timeZone, sealKey, publicUrl, snooze: queue ? (input) => scheduleSnooze(queue, clock, input) : undefined }),
      pending: evaluationPending({ db, clock, timeZone }),
      jobs: {
        queue: EVALUATION_QUEUE,
        processor: evaluationProcessor({ db, clock, timeZone, sealKey, publicUrl, flushOutbox: ctx.flushOutbox, log: ctx.log.child({ component: 'evaluation' }) }),
        // The sandbox sweeps every minute, so a demo campaign's invitations arrive without a wait.
        schedules: (q) => upsertEvaluationSchedules(q, { timeZone, sweepEveryMs: ctx.sandbox ? 60_000 : undefined }),
      },
      review: [evaluationReviewSource({ db, clock }), resultsReview(db)],
      inbox: [evaluationInbox({ db, clock, timeZone })],
      timeline: [evaluationTimeline],
      // The two built-in questionnaires exist in every installation.
      install: ensureBuiltInTemplates,
    };
  },
};
