/**
 * @module
 * Mentorship (师徒结对) as a feature: the pairs list, form and pair pages under /mentorship.
 */
import { mentorshipRoutes } from '../web/pages/mentorship/index.tsx';
import { mentorshipTextOf } from '../web/pages/mentorship/text.ts';
import type { Feature } from './feature.ts';

export const mentorship: Feature = {
  name: 'mentorship',
  build(ctx) {
    return {
      nav: [{ key: 'mentorship', href: '/mentorship', label: (_t, lang) => mentorshipTextOf(lang).nav, roles: ['district_admin', 'unit_admin', 'viewer'], order: 45 }],
      routes: (panel) => [{ path: '/mentorship', app: mentorshipRoutes({ ...panel, timeZone: panel.timeZone ?? ctx.timeZone }) }],
    };
  },
};
