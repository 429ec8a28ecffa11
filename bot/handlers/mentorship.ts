/**
 * @module
 * Mentorship in the chat: `打卡` / `check in` opens the check-in card for each of the mentor's
 * active pairs; the card's submit logs the meeting (or "not yet") and sends the mentee the
 * confirm card; the mentee's answer closes it. The pair and check-in in a card's value are
 * checked against who clicked: a mentor outside the pair, or a cadre who is not its mentee, is
 * refused and nothing is written.
 */
import type { Db } from '../../db/client.ts';
import type { Clock } from '../../core/clock.ts';
import type { PendingSource } from '../../core/pending.ts';
import { toId } from '../../core/ids.ts';
import { activePairsOfMentor, answerCheckin, checkinForMentee, logCheckin, pairOfMentor, unansweredFor } from '../../core/mentorship/checkins.ts';
import { pairSummaries } from '../../core/mentorship/summaries.ts';
import { loadWorkCalendar } from '../../core/reminders/store.ts';
import { localDay } from '../../core/reminders/time.ts';
import { answeredCard, cardText, checkinCard, confirmCard, loggedCard, MENTORSHIP_ACTIONS, postponedCard, type CardLang } from '../cards/mentorship.ts';
import type { CardActionHandler, CardResponse, Command } from '../router.ts';

export interface MentorshipChatDeps {
  db: Db;
  clock: Clock;
  /** TZ_NAME: "today" for dates on the cards. */
  timeZone: string;
}

export const CHECKIN_WORDS = { zh: ['打卡'], en: ['check in', 'check-in'] } as const;
export const PURPOSE_CONFIRM = 'mentorship.confirm';

const langOf = (value: Record<string, unknown>): CardLang => (value.l === 'en' ? 'en' : 'zh');
const respond = (type: 'info' | 'success' | 'warning' | 'error', content: string, data?: unknown): CardResponse => ({ toast: { type, content }, ...(data ? { card: { type: 'raw', data } } : {}) });

export function mentorshipCommands(deps: MentorshipChatDeps): Command[] {
  const open = (lang: CardLang): Command['handle'] => async (_message, ctx) => {
    const pairs = await activePairsOfMentor(ctx.tx, ctx.cadre.cadreId);
    if (pairs.length === 0) {
      await ctx.reply({ msgType: 'text', payload: { text: cardText(lang).noPairs }, purpose: 'mentorship.checkin' });
      return true;
    }
    const today = localDay(deps.clock.now(), deps.timeZone);
    // A mentor of many pairs gets a handful of cards, not a flood.
    for (const found of pairs.slice(0, 5)) await ctx.reply({ msgType: 'interactive', payload: checkinCard(found, lang, today), purpose: 'mentorship.checkin' });
    return true;
  };
  return [
    { words: CHECKIN_WORDS.zh, handle: open('zh') },
    { words: CHECKIN_WORDS.en, handle: open('en') },
  ];
}

export function mentorshipCardActions(deps: MentorshipChatDeps): Record<string, CardActionHandler> {
  const today = () => localDay(deps.clock.now(), deps.timeZone);

  const openForm: CardActionHandler = async (action, ctx) => {
    const lang = langOf(action.value);
    const pairId = toId(action.value.p);
    const found = pairId && (await pairOfMentor(ctx.tx, pairId, ctx.cadre.cadreId));
    if (!found) return respond('warning', cardText(lang).notYourPair);
    return respond('info', cardText(lang).checkinTitle, checkinCard(found, lang, today()));
  };

  const submit: CardActionHandler = async (action, ctx) => {
    const lang = langOf(action.value);
    const x = cardText(lang);
    const pairId = toId(action.value.p);
    const found = pairId && (await pairOfMentor(ctx.tx, pairId, ctx.cadre.cadreId));
    if (!found) return respond('warning', x.notYourPair);
    const result = await logCheckin(ctx.tx, found, ctx.cadre.cadreId, action.formValue ?? {}, today());
    if (!result.ok) return respond('error', x.issues[result.issue], checkinCard(found, lang, today(), result.issue));
    if (result.kind === 'not_yet') return respond('success', x.postponed(result.newDate), postponedCard(lang, result.newDate));
    const metOn = String(action.formValue?.metOn ?? '').slice(0, 10);
    const mentor = found.mentors.find((m) => m.cadreId === ctx.cadre.cadreId)!;
    for (const mentee of found.mentees) {
      if (!mentee.larkOpenId) continue;
      await ctx.send({
        recipient: mentee.larkOpenId,
        cadreId: mentee.cadreId,
        purpose: PURPOSE_CONFIRM,
        dedupeKey: `${PURPOSE_CONFIRM}:${result.checkinId}:${mentee.cadreId}`,
        msgType: 'interactive',
        payload: confirmCard({ checkinId: result.checkinId, mentorName: mentor.name, metOn, form: String(action.formValue?.form), topics: String(action.formValue?.topics ?? '').trim(), nextStep: String(action.formValue?.nextStep ?? '').trim() || null }),
      });
    }
    return respond('success', x.loggedTitle, loggedCard(found, lang, metOn));
  };

  const answer = (verdict: 'confirmed' | 'disputed'): CardActionHandler => async (action, ctx) => {
    const lang = langOf(action.value);
    const x = cardText(lang);
    const checkinId = toId(action.value.k);
    const found = checkinId && (await checkinForMentee(ctx.tx, checkinId, ctx.cadre.cadreId));
    if (!found) return respond('warning', x.notYourCheckin);
    const note = typeof action.formValue?.note === 'string' ? action.formValue.note : '';
    const result = await answerCheckin(ctx.tx, found.checkin.id, ctx.cadre.cadreId, verdict, note, deps.clock.now());
    if (!result.ok) return result.issue === 'answered' ? respond('info', x.alreadyAnswered) : respond('error', x.issues.tooLong);
    return respond('success', verdict === 'confirmed' ? x.answeredConfirmed : x.answeredDisputed, answeredCard(lang, verdict));
  };

  const openConfirm: CardActionHandler = async (action, ctx) => {
    const lang = langOf(action.value);
    const checkinId = toId(action.value.k);
    const found = checkinId && (await checkinForMentee(ctx.tx, checkinId, ctx.cadre.cadreId));
    if (!found) return respond('warning', cardText(lang).notYourCheckin);
    if (found.checkin.status !== 'submitted') return respond('info', cardText(lang).alreadyAnswered);
    const c = found.checkin;
    return respond('info', cardText(lang).confirmTitle, confirmCard({ checkinId: c.id, mentorName: found.mentorName, metOn: c.metOn, form: c.form, topics: c.topics, nextStep: c.nextStep }, lang));
  };

  return {
    [MENTORSHIP_ACTIONS.open]: openForm,
    [MENTORSHIP_ACTIONS.checkin]: submit,
    [MENTORSHIP_ACTIONS.confirm]: answer('confirmed'),
    [MENTORSHIP_ACTIONS.dispute]: answer('disputed'),
    [MENTORSHIP_ACTIONS.openConfirm]: openConfirm,
  };
}

/** 待办: a meeting due with each pair the cadre mentors, and check-ins waiting for their confirmation. */
export function mentorshipPending(deps: MentorshipChatDeps): PendingSource {
  return async (cadreId) => {
    const today = localDay(deps.clock.now(), deps.timeZone);
    const pairs = await activePairsOfMentor(deps.db, cadreId);
    const summaries = pairs.length
      ? await pairSummaries(deps.db, { kind: 'all' }, { today, calendar: await loadWorkCalendar(deps.db), timeZone: deps.timeZone, pairIds: pairs.map((p) => p.pair.id) })
      : [];
    const due = summaries.filter((s) => s.nextDue && s.nextDue <= today);
    const waiting = await unansweredFor(deps.db, cadreId);
    return [
      ...due.map((s) => ({
        feature: 'mentorship',
        title: `与${s.mentees.map((m) => m.name).join('、')}见面打卡`,
        detail: `应于 ${s.nextDue} 前见面`,
        open: { action: MENTORSHIP_ACTIONS.open, value: { p: s.id } },
      })),
      ...waiting.map((w) => ({
        feature: 'mentorship',
        title: `确认导师${w.mentorName}的见面记录`,
        detail: w.metOn,
        open: { action: MENTORSHIP_ACTIONS.openConfirm, value: { k: w.id } },
      })),
    ];
  };
}
