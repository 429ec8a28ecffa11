/**
 * @module
 * The dashboard's "needs review" entry for evaluation: open campaigns that close within two
 * days while fewer than 80 % have voted, so someone follows up with the non-responders.
 */
import type { Db } from '../../../db/client.ts';
import type { Clock } from '../../../core/clock.ts';
import { listCampaigns } from '../../../core/evaluation/admin.ts';
import type { ReviewSource } from '../../context.ts';
import { dictionary } from '../../i18n.ts';
import { percent } from './campaign.tsx';

const SOON_MS = 2 * 24 * 3600_000;
const LOW_TURNOUT = 80;

export function evaluationReviewSource(deps: { db: Db; clock: Clock }): ReviewSource {
  return async ({ user }) => {
    if (user.role !== 'district_admin' && user.role !== 'unit_admin') return [];
    const now = deps.clock.now().getTime();
    const e = dictionary('zh').evaluation;
    return (await listCampaigns(deps.db))
      .filter((r) => r.campaign.status === 'open' && r.campaign.closesAt.getTime() - now <= SOON_MS && r.campaign.closesAt.getTime() > now)
      .filter((r) => percent(r.completed, r.assigned) < LOW_TURNOUT)
      .map((r) => ({ title: e.reviewLowTurnout(r.campaign.title, percent(r.completed, r.assigned)), href: `/evaluation/${r.campaign.id}` }));
  };
}
