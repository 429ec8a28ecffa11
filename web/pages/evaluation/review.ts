/**
 * @module
 * The dashboard's "needs review" entry for evaluation: open campaigns that close within two
 * days while fewer than 80 % have voted, so someone follows up with the non-responders.
 */
import type { Db } from '../../../db/client.ts';
import type { Clock } from '../../../core/clock.ts';
import { campaignsInScope, listCampaigns, turnoutByUnit, withinScope } from '../../../core/evaluation/admin.ts';
import type { ReviewSource } from '../../context.ts';
import { evaluationDictionary } from './text.ts';
import { percent } from './campaign.tsx';
import { canChaseTurnout } from '../../../core/roles.ts';

export const SOON_MS = 2 * 24 * 3600_000;
export const LOW_TURNOUT = 80;

/**
 * Within the viewer's scope, like the campaign list: a unit admin sees only the campaigns that
 * concern their units, with the turnout of their own units' raters.
 */
export function evaluationReviewSource(deps: { db: Db; clock: Clock }): ReviewSource {
  return async ({ user, scope, lang }) => {
    if (!canChaseTurnout(user)) return [];
    const now = deps.clock.now().getTime();
    const e = evaluationDictionary(lang ?? 'zh').evaluation;
    const closing = withinScope(await listCampaigns(deps.db), await campaignsInScope(deps.db, scope), (r) => r.campaign.id).filter(
      (r) => r.campaign.status === 'open' && r.campaign.closesAt.getTime() - now <= SOON_MS && r.campaign.closesAt.getTime() > now,
    );
    if (scope.kind === 'units') {
      for (const r of closing) {
        const units = await turnoutByUnit(deps.db, r.campaign.id, scope);
        r.assigned = units.reduce((s, u) => s + u.assigned, 0);
        r.completed = units.reduce((s, u) => s + u.completed, 0);
      }
    }
    return closing
      // A unit admin without raters in a campaign has no one to follow up there.
      .filter((r) => (scope.kind === 'all' || r.assigned > 0) && percent(r.completed, r.assigned) < LOW_TURNOUT)
      .map((r) => ({ title: e.reviewLowTurnout(r.campaign.title, percent(r.completed, r.assigned)), href: `/evaluation/${r.campaign.id}` }));
  };
}
