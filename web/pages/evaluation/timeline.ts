/**
 * @module
 * Evaluation's entries on the cadre profile's timeline: each closed campaign the cadre was a
 * target of, with their score and rank, worded in the reader's language; each links to the
 * cadre's results page.
 */
import { timelineResults } from '../../../core/evaluation/report.ts';
import type { TimelineSource } from '../../../core/org/timeline.ts';
import { evaluationDictionary } from './text.ts';

export const evaluationTimeline: TimelineSource = async (db, cadreId, lang) => {
  const e = evaluationDictionary(lang).evaluation;
  return (await timelineResults(db, cadreId)).map((r) => ({
    at: r.at,
    kind: 'evaluation_result',
    title: r.title,
    detail: [e.kindName[r.kind], r.score == null ? e.timelineNoBallots : e.timelineScore(r.score), r.rank ? e.timelineRank(r.rank.rank, r.rank.of) : null].filter(Boolean).join(' · '),
    href: `/evaluation/${r.campaignId}/results/${cadreId}`,
  }));
};
