/**
 * @module
 * The democratic-evaluation cards (Card JSON 2.0, update_multi): the invitation, the ballot one
 * target per step, the review, "已提交 ✓", "测评已结束", the reminder and the admins' daily
 * digest. The ballot card is answered in place: every button carries the sealed draft, so the
 * answers so far live in the card, never in a table.
 */
import type { EvaluationCampaign, EvaluationKind, RaterCategory } from '../../db/schema/evaluation.ts';
import { draftAnswers, GRADE_FIELD, isComplete, type BallotTarget, type Draft } from '../../core/evaluation/rater-view.ts';
import { CATEGORY_LABELS } from '../../core/evaluation/scoring.ts';
import { OVERALL_GRADES, type TemplateDefinition } from '../../core/evaluation/templates.ts';
import { localParts } from '../../core/reminders/time.ts';
import { callbackButton, card, escapeMd, markdown, plainText, urlButton, type Card } from './common.ts';

export const EVALUATION_ACTIONS = {
  start: 'evaluation.start',
  /** One standalone choice (a select outside the form); the step's form sends its choices with next/back/review. */
  answer: 'evaluation.answer',
  next: 'evaluation.next',
  back: 'evaluation.back',
  review: 'evaluation.review',
  /** Jump to a step from the review (to fix an unfinished target). */
  goto: 'evaluation.goto',
  submit: 'evaluation.submit',
  remindLater: 'evaluation.remind_later',
} as const;

/** Lark refuses a card over 30 KB; we keep a margin. */
export const CARD_LIMIT_BYTES = 28 * 1024;

export const cardBytes = (c: unknown) => Buffer.byteLength(JSON.stringify(c), 'utf8');

const WHY: Record<EvaluationKind, string> = {
  annual: '本次为年度考核民主测评，结果作为干部年度考核、评优评先的重要参考。',
  routine: '本次为日常评估，结果用于了解干部日常表现和政治素质情况。',
  special: '本次为专项评估，结果用于相关专项工作的干部考察。',
  end_of_term: '本次为任期评估，结果作为任期考核的重要参考。',
};

/** 12月5日 18:00 in the department's time zone. */
export function localDeadline(at: Date, tz: string): string {
  const p = localParts(at, tz);
  return `${p.month}月${p.day}日 ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

export interface InvitationAssignment {
  category: RaterCategory;
  targets: number;
  /** The signed web link for this assignment. */
  webUrl: string;
}

/** The value every ballot button carries: campaign, category, step, and the sealed draft. */
export type BallotValue = {
  action: string;
  c: number;
  k: RaterCategory;
  s?: number;
  d?: string;
};

function assignmentButtons(campaignId: number, a: InvitationAssignment, many: boolean) {
  const label = many ? `开始测评（${CATEGORY_LABELS[a.category]}）` : '开始测评';
  return [
    callbackButton(label, { action: EVALUATION_ACTIONS.start, c: campaignId, k: a.category }, 'primary'),
    urlButton('在网页上填写', a.webUrl),
  ];
}

function whatAndWhy(campaign: EvaluationCampaign, tz: string, assignments: InvitationAssignment[]): string {
  const people = assignments.map((a) => (assignments.length > 1 ? `${CATEGORY_LABELS[a.category]} ${a.targets} 人` : `${a.targets} 人`)).join('，');
  return [
    `您被确定为 **${escapeMd(campaign.title)}** 的评价人。`,
    WHY[campaign.kind],
    `**截止时间**：${localDeadline(campaign.closesAt, tz)}`,
    `**需评价**：${people}`,
    '测评匿名进行：提交后，任何人都看不到您对谁作了怎样的评价。',
  ].join('\n');
}

export function invitationCard(campaign: EvaluationCampaign, tz: string, assignments: InvitationAssignment[]): Card {
  const elements: unknown[] = [markdown(whatAndWhy(campaign, tz, assignments))];
  for (const a of assignments) elements.push(...assignmentButtons(campaign.id, a, assignments.length > 1));
  return card(`民主测评邀请：${campaign.title}`, elements, 'blue');
}

export function reminderCard(campaign: EvaluationCampaign, tz: string, assignments: InvitationAssignment[], canSnooze: boolean): Card {
  const elements: unknown[] = [
    markdown(`您还有 **${escapeMd(campaign.title)}** 尚未提交，截止时间 **${localDeadline(campaign.closesAt, tz)}**。填写约需几分钟。`),
  ];
  for (const a of assignments) elements.push(...assignmentButtons(campaign.id, a, assignments.length > 1));
  if (canSnooze) elements.push(callbackButton('2小时后提醒我', { action: EVALUATION_ACTIONS.remindLater, c: campaign.id }));
  return card(`测评提醒：${campaign.title}`, elements, 'orange');
}

export interface BallotView {
  campaign: EvaluationCampaign;
  category: RaterCategory;
  def: TemplateDefinition;
  targets: BallotTarget[];
  draft: Draft;
  /** The draft, sealed for this rater and campaign. */
  sealed: string;
}

function value(view: BallotView, action: string, step?: number): BallotValue {
  return { action, c: view.campaign.id, k: view.category, ...(step === undefined ? {} : { s: step }), d: view.sealed };
}

function formButton(text: string, name: string, v: BallotValue, type = 'default') {
  return { tag: 'button', name, text: { tag: 'plain_text', content: text }, type, form_action_type: 'submit', behaviors: [{ type: 'callback', value: v }] };
}

function title(view: BallotView): string {
  return `${view.campaign.title}（${CATEGORY_LABELS[view.category]}）`;
}

/** One target: every item as a choice, the overall grade when asked, and back / forward / review. */
export function ballotStepCard(view: BallotView, step: number): Card {
  const { def, targets } = view;
  const target = targets[step]!;
  const current = draftAnswers(def, view.draft, target.id);
  const options = def.scale.map((l) => ({ text: { tag: 'plain_text', content: l.label }, value: l.key }));
  const form: unknown[] = [];
  for (const dim of def.dimensions) {
    form.push(markdown(`**${escapeMd(dim.label)}**`));
    for (const item of dim.items) {
      form.push(plainText(item.label));
      form.push({
        tag: 'select_static',
        name: item.key,
        placeholder: { tag: 'plain_text', content: '请选择' },
        options,
        ...(current.levels[item.key] ? { initial_option: current.levels[item.key] } : {}),
      });
    }
  }
  if (def.overallGrade) {
    form.push(markdown('**总体评价**'));
    form.push({
      tag: 'select_static',
      name: GRADE_FIELD,
      placeholder: { tag: 'plain_text', content: '请选择' },
      options: OVERALL_GRADES.map((g) => ({ text: { tag: 'plain_text', content: g.label }, value: g.key })),
      ...(current.grade ? { initial_option: current.grade } : {}),
    });
  }
  const buttons: unknown[] = [];
  if (step > 0) buttons.push(formButton('上一位', 'back', value(view, EVALUATION_ACTIONS.back, step)));
  if (step < targets.length - 1) buttons.push(formButton('下一位', 'next', value(view, EVALUATION_ACTIONS.next, step), 'primary'));
  buttons.push(formButton('检查并提交', 'review', value(view, EVALUATION_ACTIONS.review, step), step === targets.length - 1 ? 'primary' : 'default'));
  form.push({ tag: 'column_set', flex_mode: 'flow', horizontal_spacing: '8px', columns: buttons.map((b) => ({ tag: 'column', width: 'auto', elements: [b] })) });

  return card(title(view), [
    markdown(`**${step + 1} / ${targets.length}**　${escapeMd(target.name)}\n${escapeMd(target.unit)} · ${escapeMd(target.position)}`),
    { tag: 'form', name: 'ballot', elements: form },
    markdown('每一项请选择一个等次。可以前后翻看修改，提交前不会保存到任何地方。'),
  ]);
}

/** Every target's answers, with 提交 when all are complete. */
export function reviewCard(view: BallotView): Card {
  const { def, targets } = view;
  const gradeLabel = (key: string | null) => OVERALL_GRADES.find((g) => g.key === key)?.label;
  const lines: string[] = [];
  let firstIncomplete = -1;
  targets.forEach((t, i) => {
    const { levels, grade } = draftAnswers(def, view.draft, t.id);
    const counts = def.scale.map((l) => [l.label, Object.values(levels).filter((v) => v === l.key).length] as const).filter(([, n]) => n > 0);
    const done = isComplete(def, view.draft, t.id);
    if (!done && firstIncomplete < 0) firstIncomplete = i;
    const summary = counts.map(([label, n]) => `${escapeMd(label)}×${n}`).join(' ') || '未作答';
    lines.push(`${i + 1}. **${escapeMd(t.name)}**　${summary}${def.overallGrade && grade ? `　总体：${escapeMd(gradeLabel(grade))}` : ''}${done ? '' : '　**（未完成）**'}`);
  });
  const elements: unknown[] = [markdown(`请核对您的评价（共 ${targets.length} 人）：`), markdown(lines.join('\n'))];
  if (firstIncomplete >= 0) {
    elements.push(markdown(`还有未完成的评价，全部完成后才能提交。`));
    elements.push(callbackButton('继续填写', value(view, EVALUATION_ACTIONS.goto, firstIncomplete), 'primary'));
  } else {
    elements.push(markdown('提交后不能修改。测评匿名：您的评价与您的身份分开保存。'));
    elements.push(callbackButton('提交', value(view, EVALUATION_ACTIONS.submit), 'primary'));
    elements.push(callbackButton('返回修改', value(view, EVALUATION_ACTIONS.goto, 0)));
  }
  return card(`${title(view)} · 核对`, elements);
}

export function submittedCard(campaign: EvaluationCampaign, category: RaterCategory, remaining: number): Card {
  const more = remaining > 0 ? `\n您在本次测评中还有 ${remaining} 份问卷待填写，发送“待办”可继续。` : '';
  return card(`已提交 ✓ ${campaign.title}`, [markdown(`您的${CATEGORY_LABELS[category]}评价已提交，感谢参与。${more}`)], 'green');
}

export function closedCard(campaign: { title: string }): Card {
  return card(`测评已结束：${campaign.title}`, [markdown('本次测评已结束，不再接收评价。感谢您的关注。')], 'grey');
}

export interface DigestLine {
  title: string;
  closesAt: Date;
  assigned: number;
  completed: number;
}

/** For a unit admin: turnout of their units' raters in every open campaign. */
export function digestCard(tz: string, lines: DigestLine[], panelUrl: string): Card {
  const text = lines
    .map((l) => {
      const pct = l.assigned ? Math.round((l.completed / l.assigned) * 100) : 0;
      return `**${escapeMd(l.title)}**（截止 ${localDeadline(l.closesAt, tz)}）\n已提交 ${l.completed} / ${l.assigned} 人（${pct}%）`;
    })
    .join('\n\n');
  return card('民主测评进度日报', [markdown(text), urlButton('查看详情', `${panelUrl}/evaluation`)], 'blue');
}
