/**
 * @module
 * The ballot in the chat: start, page through the targets (every click carries the sealed
 * draft), review and submit, and "remind me in 2 hours". Each click is answered at once with a
 * toast and the card's new content.
 *
 * Anonymity: the submit casts the ballot through `castBallot` on the database itself, in its own
 * transaction, not in the router's (which holds the event claim); and the submit writes no
 * outbox row and logs nothing, so no row or line ties this rater to the moment of a ballot.
 */
import type { Db } from '../../db/client.ts';
import type { Clock } from '../../core/clock.ts';
import type { PendingSource } from '../../core/pending.ts';
import type { RaterCategory } from '../../db/schema/evaluation.ts';
import { ballotContext, castBallot, pendingAssignments, votingState, type BallotContext } from '../../core/evaluation/ballots.ts';
import { EvaluationError, type IssueParams } from '../../core/evaluation/errors.ts';
import { assignmentTargets, draftToAnswers, emptyDraft, isCategory, mergeAnswers, openAssignmentsFor, type BallotTarget, type Draft } from '../../core/evaluation/rater-view.ts';
import { snoozeUntil, type ReminderPlan } from '../../core/evaluation/reminders.ts';
import { sealDraft, unsealDraft } from '../../core/evaluation/seal.ts';
import { CATEGORY_LABELS } from '../../core/evaluation/scoring.ts';
import { localParts } from '../../core/reminders/time.ts';
import { ballotStepCard, closedCard, EVALUATION_ACTIONS, localDeadline, reviewCard, submittedCard, type BallotView } from '../cards/evaluation.ts';
import type { CardAction, CardActionHandler, CardResponse, ChatContext } from '../router.ts';

export interface EvaluationChatDeps {
  db: Db;
  sealKey: Buffer;
  clock: Clock;
  /** TZ_NAME */
  timeZone: string;
  /** PUBLIC_URL, for the signed web ballot link. */
  publicUrl: string;
  /** Schedules "remind me later" (a delayed job); absent where no worker queue is wired. */
  snooze?: (input: { campaignId: number; cadreId: number; at: Date }) => Promise<void>;
}

export const ALREADY_SUBMITTED = '你已提交，无需重复提交';
export const CAMPAIGN_CLOSED = '测评已结束';
export const NOT_A_RATER = '您不是本次测评的评价人，无需填写。如有疑问请联系区委组织部干部科。';

type Loaded = { ok: true; context: BallotContext; targets: BallotTarget[]; category: RaterCategory } | { ok: false; response: CardResponse };

const toast = (type: 'info' | 'success' | 'warning' | 'error', content: string, card?: unknown): CardResponse => ({
  toast: { type, content },
  ...(card ? { card: { type: 'raw', data: card } } : {}),
});

/** The ballot's card actions, by their ids (EVALUATION_ACTIONS). */
export function evaluationCardActions(deps: EvaluationChatDeps): Record<string, CardActionHandler> {
  const actions: Record<string, CardActionHandler> = {};
  /** The campaign, open now, and this cadre's still-pending assignment in the category. */
  async function load(action: CardAction, ctx: ChatContext): Promise<Loaded> {
    const campaignId = Number(action.value.c);
    const category = action.value.k;
    if (!Number.isSafeInteger(campaignId) || !isCategory(category)) return { ok: false, response: toast('error', '这张卡片的内容有误，请发送“待办”重新打开问卷。') };
    const context = await ballotContext(ctx.tx, campaignId);
    if (!context) return { ok: false, response: toast('warning', '找不到该测评，可能已被撤销。') };
    const state = votingState(context.campaign, deps.clock.now());
    if (state === 'closed') return { ok: false, response: toast('info', CAMPAIGN_CLOSED, closedCard(context.campaign)) };
    if (state === 'not_open') return { ok: false, response: toast('info', '测评尚未开始，开始后我会通知您。') };
    const targets = await assignmentTargets(ctx.tx, campaignId, ctx.cadre.cadreId, category);
    if (!targets) return { ok: false, response: toast('warning', NOT_A_RATER) };
    const open = await pendingAssignments(ctx.tx, campaignId, ctx.cadre.cadreId);
    if (!open.some((a) => a.category === category)) {
      return { ok: false, response: toast('info', ALREADY_SUBMITTED, submittedCard(context.campaign, category, open.length)) };
    }
    return { ok: true, context, targets, category };
  }

  function view(loaded: Extract<Loaded, { ok: true }>, cadreId: number, draft: Draft): BallotView {
    return {
      campaign: loaded.context.campaign,
      category: loaded.category,
      def: loaded.context.definition,
      targets: loaded.targets,
      draft,
      sealed: sealDraft(deps.sealKey, { campaignId: loaded.context.campaign.id, raterId: cadreId }, draft),
    };
  }

  /** The draft carried by the clicked button; a draft altered or sealed for another rater or campaign is refused. */
  function openDraft(action: CardAction, ctx: ChatContext, loaded: Extract<Loaded, { ok: true }>): Draft | CardResponse {
    const sealed = action.value.d;
    try {
      if (typeof sealed !== 'string') throw new EvaluationError('invalid_draft');
      const draft = unsealDraft<Draft>(deps.sealKey, { campaignId: loaded.context.campaign.id, raterId: ctx.cadre.cadreId }, sealed);
      if (!draft || draft.k !== loaded.category || typeof draft.a !== 'object' || draft.a === null) throw new EvaluationError('invalid_draft');
      return draft;
    } catch (error) {
      if (error instanceof EvaluationError) return toast('error', `${chatErrorText(error)}（此卡片的内容无法验证，未作任何记录）`);
      throw error;
    }
  }

  const isResponse = (x: Draft | CardResponse): x is CardResponse => 'toast' in x;

  actions[EVALUATION_ACTIONS.start] = async (action, ctx) => {
    const loaded = await load(action, ctx);
    if (!loaded.ok) return loaded.response;
    if (loaded.targets.length === 0) return toast('info', '您在本次测评中没有需要评价的对象。');
    return toast('info', `共 ${loaded.targets.length} 人，请逐一评价`, ballotStepCard(view(loaded, ctx.cadre.cadreId, emptyDraft(loaded.category)), 0));
  };

  /**
   * next / back / review / goto: keep this step's answers (the form's values), then show the
   * asked-for step. answer: one standalone choice (`name` = item key, `option` = level), same step.
   */
  const move = (direction: 'next' | 'back' | 'review' | 'goto' | 'answer') => async (action: CardAction, ctx: ChatContext): Promise<CardResponse> => {
    const loaded = await load(action, ctx);
    if (!loaded.ok) return loaded.response;
    const opened = openDraft(action, ctx, loaded);
    if (isResponse(opened)) return opened;
    let draft = opened;
    const last = loaded.targets.length - 1;
    const step = Math.min(Math.max(0, Math.trunc(Number(action.value.s) || 0)), last);
    const given = direction === 'answer' ? (action.name && action.option ? { [action.name]: action.option } : {}) : direction === 'goto' ? undefined : action.formValue;
    if (given) draft = mergeAnswers(loaded.context.definition, draft, loaded.targets[step]!.id, given);
    const v = view(loaded, ctx.cadre.cadreId, draft);
    if (direction === 'review') return toast('info', '请核对后提交', reviewCard(v));
    const to = direction === 'next' ? Math.min(step + 1, last) : direction === 'back' ? Math.max(step - 1, 0) : step;
    return toast('info', `${to + 1} / ${loaded.targets.length}`, ballotStepCard(v, to));
  };
  actions[EVALUATION_ACTIONS.next] = move('next');
  actions[EVALUATION_ACTIONS.back] = move('back');
  actions[EVALUATION_ACTIONS.review] = move('review');
  actions[EVALUATION_ACTIONS.goto] = move('goto');
  actions[EVALUATION_ACTIONS.answer] = move('answer');

  actions[EVALUATION_ACTIONS.submit] = async (action, ctx) => {
    const loaded = await load(action, ctx);
    if (!loaded.ok) return loaded.response;
    const opened = openDraft(action, ctx, loaded);
    if (isResponse(opened)) return opened;
    const { campaign, definition } = loaded.context;
    try {
      const outcome = await castBallot(deps.db, {
        campaignId: campaign.id,
        raterCadreId: ctx.cadre.cadreId,
        category: loaded.category,
        answers: draftToAnswers(definition, opened, loaded.targets.map((t) => t.id)),
        clock: deps.clock,
        sealKey: deps.sealKey,
      });
      const remaining = (await pendingAssignments(deps.db, campaign.id, ctx.cadre.cadreId)).length;
      switch (outcome.outcome) {
        case 'accepted':
          return toast('success', '已提交，感谢参与', submittedCard(campaign, loaded.category, remaining));
        case 'already_submitted':
          return toast('info', ALREADY_SUBMITTED, submittedCard(campaign, loaded.category, remaining));
        case 'closed':
          return toast('info', CAMPAIGN_CLOSED, closedCard(campaign));
        case 'not_open':
          return toast('info', '测评尚未开始，开始后我会通知您。');
        default:
          return toast('warning', NOT_A_RATER);
      }
    } catch (error) {
      if (error instanceof EvaluationError) return toast('error', chatErrorText(error), reviewCard(view(loaded, ctx.cadre.cadreId, opened)));
      throw error;
    }
  };

  actions[EVALUATION_ACTIONS.remindLater] = async (action, ctx) => {
    const campaignId = Number(action.value.c);
    const context = Number.isSafeInteger(campaignId) ? await ballotContext(ctx.tx, campaignId) : null;
    if (!context) return toast('warning', '找不到该测评，可能已被撤销。');
    const now = deps.clock.now();
    if (votingState(context.campaign, now) === 'closed') return toast('info', CAMPAIGN_CLOSED, closedCard(context.campaign));
    const open = await pendingAssignments(ctx.tx, campaignId, ctx.cadre.cadreId);
    if (open.length === 0) return toast('info', ALREADY_SUBMITTED);
    const plan = context.campaign.reminderPlan as ReminderPlan;
    const at = snoozeUntil(plan, { opensAt: context.campaign.opensAt, closesAt: context.campaign.closesAt, tz: deps.timeZone }, now);
    if (!at || !deps.snooze) return toast('info', `测评将于 ${localDeadline(context.campaign.closesAt, deps.timeZone)} 截止，请尽快填写。`);
    await deps.snooze({ campaignId, cadreId: ctx.cadre.cadreId, at });
    const p = localParts(at, deps.timeZone);
    return toast('success', `好的，将在 ${p.month}月${p.day}日 ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')} 再提醒您。`);
  };

  return actions;
}

/** 待办: every open campaign this cadre has not completed, one item per assignment. */
export function evaluationPending(deps: Pick<EvaluationChatDeps, 'db' | 'clock' | 'timeZone'>): PendingSource {
  return async (cadreId) => {
    const open = await openAssignmentsFor(deps.db, cadreId, deps.clock.now());
    return open.map(({ campaign, category, targets }) => ({
      feature: 'evaluation',
      title: open.filter((o) => o.campaign.id === campaign.id).length > 1 ? `${campaign.title}（${CATEGORY_LABELS[category]}）` : campaign.title,
      detail: `需评价 ${targets} 人，截止 ${localDeadline(campaign.closesAt, deps.timeZone)}`,
      dueAt: campaign.closesAt,
      open: { action: EVALUATION_ACTIONS.start, value: { c: campaign.id, k: category } },
    }));
  };
}

/** The line above a ballot's problems, in the chat's language. */
const CHAT_ERROR_HEAD: Record<string, string> = { invalid_ballot: '问卷未完成' };

const listOf = (v: IssueParams[string] | undefined): string[] => (Array.isArray(v) ? v : v == null ? [] : [String(v)]);
const who = (p: IssueParams) => (p.name != null ? String(p.name) : `编号 ${p.target}`);

/** The ballot's problems as the chat words them. */
const CHAT_ISSUES: Record<string, (p: IssueParams) => string> = {
  invalid_draft: () => '草稿已失效，请重新打开问卷填写',
  'ballot.self': () => '不能评价自己',
  'ballot.notYours': (p) => `${who(p)} 不是您的评价对象`,
  'ballot.twice': (p) => `${who(p)} 重复评价`,
  'ballot.missing': (p) => `${who(p)} 未评价：${listOf(p.items).join('、')}`,
  'ballot.unknownItems': (p) => `${who(p)} 有问卷中没有的项目：${listOf(p.items).join('、')}`,
  'ballot.noGrade': (p) => `${who(p)} 未选择总体评价（优秀/称职/基本称职/不称职）`,
  'ballot.gradeNotAsked': () => '本问卷不设总体评价',
  'ballot.commentNotAsked': () => '本问卷不设意见建议',
  'ballot.commentLong': (p) => `${who(p)} 的意见建议超过 ${p.max} 字`,
  'ballot.unrated': (p) => `还有 ${p.count} 位评价对象未评价：${listOf(p.names).join('、')}`,
  category_required: (p) => `您在本次测评中有多份问卷（${listOf(p.categories).map((c) => CATEGORY_LABELS[c as RaterCategory] ?? c).join('、')}），请分别提交`,
};

/**
 * An evaluation error as the bot says it, in Chinese (the cadres' chat language); a coded issue
 * the chat has no words for is answered generically.
 */
function chatErrorText(error: EvaluationError): string {
  const issues = error.issues
    .map((i) => (i.code === 'text' ? String(i.params?.text ?? '') : (CHAT_ISSUES[i.code]?.(i.params ?? {}) ?? '操作未完成，请稍后再试')))
    .join('；');
  const head = CHAT_ERROR_HEAD[error.code];
  return head ? `${head}：${issues}` : issues;
}
