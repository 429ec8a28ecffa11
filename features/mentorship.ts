/**
 * @module
 * Mentorship (师徒结对) as a feature: the pairs list, form and pair pages under /mentorship; the
 * check-in in the chat (`打卡` / `check in`, 待办) and the mentee's confirmation; the nudge
 * sweep with its escalation ladder on the feature's queue.
 */
import { READERS } from '../core/roles.ts';
import { mentorshipCardActions, mentorshipCommands, mentorshipPending } from '../bot/handlers/mentorship.ts';
import { MENTORSHIP_QUEUE, mentorshipProcessor, upsertMentorshipSchedules } from '../jobs/workers/mentorship.ts';
import { seedMentorshipDemo } from '../core/mentorship/demo.ts';
import { localDay } from '../core/reminders/time.ts';
import { mentorshipRoutes } from '../web/pages/mentorship/index.tsx';
import { mentorshipTextOf } from '../web/pages/mentorship/text.ts';
import { mentorshipReviewSource, mentorshipTimeline } from '../web/pages/mentorship/sources.ts';
import type { Feature } from './feature.ts';

export const mentorship: Feature = {
  name: 'mentorship',
  build(ctx) {
    const chat = { db: ctx.db, clock: ctx.clock, timeZone: ctx.timeZone };
    return {
      commands: mentorshipCommands(chat),
      cardActions: mentorshipCardActions(chat),
      pending: mentorshipPending(chat),
      jobs: {
        queue: MENTORSHIP_QUEUE,
        processor: mentorshipProcessor({ ...chat, publicUrl: ctx.publicUrl, flushOutbox: ctx.flushOutbox, log: ctx.log.child({ component: 'mentorship' }) }),
        // The sandbox sweeps every minute, so a demo pair's nudge arrives without a wait.
        schedules: (q) => upsertMentorshipSchedules(q, { everyMs: ctx.sandbox ? 60_000 : undefined }),
      },
      nav: [{ key: 'mentorship', href: '/mentorship', label: (_t, lang) => mentorshipTextOf(lang).nav, roles: READERS, order: 45 }],
      review: [mentorshipReviewSource(chat)],
      timeline: [mentorshipTimeline],
      seedDemo: (db) => seedMentorshipDemo(db, localDay(ctx.clock.now(), ctx.timeZone)),
      routes: (panel) => [{ path: '/mentorship', app: mentorshipRoutes({ ...panel, timeZone: panel.timeZone ?? ctx.timeZone }) }],
    };
  },
};
