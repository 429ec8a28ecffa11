/**
 * @module
 * Evaluation's items in the review inbox (审阅), with mark read and comment:
 * - `flagged`: a target of one of the latest closed campaigns with an alert or a flag, as the
 *   results table and the dashboard show them (`resultsReport`);
 * - `low_turnout`: a unit whose raters lag (under 80 %) in an open campaign closing within two
 *   days, as the dashboard's review list counts it. It leaves the inbox by itself once the unit
 *   catches up or the campaign closes.
 */
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { evaluationCampaigns } from '../../../db/schema/evaluation.ts';
import type { Clock } from '../../../core/clock.ts';
import { campaignsInScope, listCampaigns, turnoutByUnit, withinScope } from '../../../core/evaluation/admin.ts';
import { resultsReport } from '../../../core/evaluation/report.ts';
import type { Alert, Flag } from '../../../core/evaluation/scoring.ts';
import type { InboxEntry, InboxSource } from '../../../core/review.ts';
import { percent } from './campaign.tsx';
import { LOW_TURNOUT, SOON_MS } from './review.ts';

/** The latest closed campaigns whose flagged targets are listed, as on the dashboard. */
const LATEST_CLOSED = 2;

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

const zh = {
  feature: '民主测评',
  kind: { flagged: '测评预警', low_turnout: '参评率偏低' } as Record<string, string>,
  flagged: (campaign: string, name: string) => `${campaign}：${name}`,
  lowTurnout: (campaign: string, unit: string, p: number) => `${campaign}：${unit}参评率 ${p}%`,
  lowTurnoutDetail: (done: number, of: number, closes: string) => `已完成 ${done}/${of}，${closes} 截止`,
  alert: {
    excellent_competent_low: (a: Alert) => `优秀和称职票 ${a.count}/${a.graded}（${pct(a.share)}），低于 ${pct(a.threshold)}`,
    incompetent_high: (a: Alert) => `不称职票 ${a.count}/${a.graded}（${pct(a.share)}），超过 ${pct(a.threshold)}`,
  },
  flag: { category_disagreement: '各类评价人的评价差距较大', small_group_dominance: '少数评价人对结果影响较大' } as Record<string, string>,
  points: (n: number) => `（${n} 分）`,
  separator: '；',
};
const en: typeof zh = {
  feature: 'Evaluation',
  kind: { flagged: 'Evaluation alert', low_turnout: 'Low turnout' },
  flagged: (campaign, name) => `${campaign}: ${name}`,
  lowTurnout: (campaign, unit, p) => `${campaign}: ${unit} at ${p}% turnout`,
  lowTurnoutDetail: (done, of, closes) => `${done}/${of} done, closes ${closes}`,
  alert: {
    excellent_competent_low: (a) => `Excellent and competent ${a.count}/${a.graded} (${pct(a.share)}), below ${pct(a.threshold)}`,
    incompetent_high: (a) => `Incompetent ${a.count}/${a.graded} (${pct(a.share)}), above ${pct(a.threshold)}`,
  },
  flag: { category_disagreement: 'Rater groups disagree widely', small_group_dominance: 'A small group of raters sways the result' },
  points: (n) => ` (${n} points)`,
  separator: '; ',
};
const TEXT = { zh, en };

function reasons(text: typeof zh, alerts: readonly Alert[], flags: readonly Flag[]): string {
  return [...alerts.map((a) => text.alert[a.rule](a)), ...flags.map((f) => `${text.flag[f.rule] ?? f.rule}${f.points == null ? '' : text.points(f.points)}`)].join(text.separator);
}

async function flaggedTargets(db: Db, scope: Parameters<typeof resultsReport>[2], text: typeof zh): Promise<InboxEntry[]> {
  const latest = await db
    .select({ id: evaluationCampaigns.id, title: evaluationCampaigns.title, closedAt: evaluationCampaigns.closedAt })
    .from(evaluationCampaigns)
    .where(eq(evaluationCampaigns.status, 'closed'))
    .orderBy(desc(evaluationCampaigns.closedAt), desc(evaluationCampaigns.id))
    .limit(LATEST_CLOSED);
  const entries: InboxEntry[] = [];
  for (const c of latest) {
    const report = await resultsReport(db, c.id, scope);
    for (const t of report.targets) {
      if (t.score.alerts.length === 0 && t.score.flags.length === 0) continue;
      entries.push({
        kind: 'flagged',
        kindLabel: text.kind.flagged!,
        id: `${c.id}:${t.cadreId}`,
        title: text.flagged(c.title, t.name),
        unit: { id: t.unitId, name: t.unitName },
        cadre: { id: t.cadreId, name: t.name },
        submittedAt: c.closedAt!,
        href: `/evaluation/${c.id}/results/${t.cadreId}`,
        detail: reasons(text, t.score.alerts, t.score.flags),
        actions: ['read', 'comment'],
      });
    }
  }
  return entries;
}

async function lowTurnoutUnits(db: Db, clock: Clock, scope: Parameters<typeof turnoutByUnit>[2], text: typeof zh, timeZone: string): Promise<InboxEntry[]> {
  const now = clock.now().getTime();
  const closing = withinScope(await listCampaigns(db), await campaignsInScope(db, scope), (r) => r.campaign.id).filter(
    (r) => r.campaign.status === 'open' && r.campaign.closesAt.getTime() - now <= SOON_MS && r.campaign.closesAt.getTime() > now,
  );
  const entries: InboxEntry[] = [];
  for (const { campaign } of closing) {
    const closes = new Intl.DateTimeFormat('sv-SE', { timeZone, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(campaign.closesAt);
    for (const u of await turnoutByUnit(db, campaign.id, scope)) {
      const p = percent(u.completed, u.assigned);
      if (u.assigned === 0 || p >= LOW_TURNOUT) continue;
      entries.push({
        kind: 'low_turnout',
        kindLabel: text.kind.low_turnout!,
        id: `${campaign.id}:${u.unitId}`,
        title: text.lowTurnout(campaign.title, u.unitName, p),
        unit: { id: u.unitId, name: u.unitName },
        // The alert arose when the campaign came within two days of closing.
        submittedAt: new Date(Math.max(campaign.opensAt.getTime(), campaign.closesAt.getTime() - SOON_MS)),
        href: `/evaluation/${campaign.id}`,
        detail: text.lowTurnoutDetail(u.completed, u.assigned, closes),
        actions: ['read', 'comment'],
      });
    }
  }
  return entries;
}

/** Admins and viewers within their scope; partners see no evaluation results. */
export function evaluationInbox(deps: { db: Db; clock: Clock; timeZone: string }): InboxSource {
  return {
    label: (lang) => TEXT[lang].feature,
    list: async ({ user, scope, lang }) => {
      if (user.role === 'partner') return [];
      const text = TEXT[lang];
      const [flagged, lagging] = await Promise.all([flaggedTargets(deps.db, scope, text), lowTurnoutUnits(deps.db, deps.clock, scope, text, deps.timeZone)]);
      return [...flagged, ...lagging];
    },
  };
}
