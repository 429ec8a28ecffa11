/**
 * @module
 * The mentorship cards (Card JSON 2.0): the check-in form a mentor fills in, what it becomes
 * once sent, and the mentee's confirm card. Chinese by default; a mentor who wrote `check in`
 * gets English, and the language travels in the card's value. Names, goals and topics are data:
 * escaped in markdown.
 */
import { card, escapeMd, markdown, plainText, type Card } from './common.ts';
import type { CheckinIssue, PairForCheckin } from '../../core/mentorship/checkins.ts';

export const MENTORSHIP_ACTIONS = {
  /** Opens the check-in form for a pair (from 待办, or a nudge). */
  open: 'mentorship.open',
  checkin: 'mentorship.checkin',
  confirm: 'mentorship.confirm',
  dispute: 'mentorship.dispute',
  /** Opens the confirm card for a check-in (from 待办). */
  openConfirm: 'mentorship.openConfirm',
} as const;

export type CardLang = 'zh' | 'en';

const zh = {
  checkinTitle: '师徒见面打卡',
  with: (names: string) => `徒弟：**${names}**`,
  met: '是否已见面',
  metYes: '已见面',
  metNotYet: '还没有',
  metOn: '见面日期',
  form: '见面形式',
  forms: { face_to_face: '面对面', online: '线上', on_the_job: '岗位实践' } as Record<string, string>,
  topics: '交流了什么',
  progress: (goal: string) => `目标进展：${goal}`,
  levels: ['起步', '有进展', '明显进步', '已达成'],
  nextStep: '下一步安排',
  notYetHint: '如果还没有见面，请写明原因和新的见面日期：',
  reason: '原因',
  newDate: '新的见面日期',
  submit: '提交',
  pick: '请选择',
  issues: {
    met: '请选择是否已经见面。',
    metOn: '请选择见面日期。',
    future: '见面日期不能晚于今天。',
    beforeStart: '见面日期早于结对开始日期。',
    form: '请选择见面形式。',
    topics: '请填写交流内容。',
    progress: '目标进展的等级有误。',
    reason: '请写明还没有见面的原因。',
    newDate: '请选择今天或以后的新日期。',
    tooLong: '内容过长，请精简后再提交。',
  } as Record<CheckinIssue, string>,
  logged: (metOn: string, names: string) => `已记录 ${metOn} 的见面，正在等待 **${names}** 确认。`,
  loggedTitle: '见面已记录 ✓',
  postponed: (date: string) => `已记下，新的见面日期是 ${date}，届时我再提醒您。`,
  notYourPair: '您不是这个结对的导师，不能为它打卡。',
  noPairs: '您目前没有进行中的师徒结对，无需打卡。',
  confirmTitle: '请确认导师的见面记录',
  confirmBody: (mentor: string, metOn: string, form: string) => `导师 **${mentor}** 记录了 ${metOn} 的见面（${form}）。`,
  topicsLine: '交流内容：',
  nextLine: '下一步：',
  note: '说说对您有什么帮助、还需要什么，以及您给导师带来了什么（新促老）',
  confirm: '确认',
  dispute: '记录不对',
  answeredConfirmed: '已确认，谢谢！',
  answeredDisputed: '已告知组织部这条记录有误，谢谢反馈。',
  alreadyAnswered: '这条记录已经确认过了。',
  notYourCheckin: '这条见面记录与您无关。',
  stale: '这张卡片的内容有误，请发送“待办”重新打开。',
};

const en: typeof zh = {
  checkinTitle: 'Mentorship check-in',
  with: (names) => `Mentee: **${names}**`,
  met: 'Did you meet?',
  metYes: 'Yes',
  metNotYet: 'Not yet',
  metOn: 'Date',
  form: 'How',
  forms: { face_to_face: 'Face to face', online: 'Online', on_the_job: 'On the job' },
  topics: 'What you talked about',
  progress: (goal) => `Progress: ${goal}`,
  levels: ['Starting', 'Some progress', 'Clear progress', 'Met'],
  nextStep: 'Next step',
  notYetHint: 'If you have not met yet, say why and when you will:',
  reason: 'Reason',
  newDate: 'New date',
  submit: 'Send',
  pick: 'Choose',
  issues: {
    met: 'Say whether you met.',
    metOn: 'Pick the date you met.',
    future: 'The date cannot be after today.',
    beforeStart: 'The date is before the pair started.',
    form: 'Pick how you met.',
    topics: 'Say what you talked about.',
    progress: 'A progress level is not valid.',
    reason: 'Say why you have not met yet.',
    newDate: 'Pick a new date, today or later.',
    tooLong: 'Too long: please shorten it.',
  },
  logged: (metOn, names) => `Meeting of ${metOn} logged; waiting for **${names}** to confirm.`,
  loggedTitle: 'Meeting logged ✓',
  postponed: (date) => `Noted: the new date is ${date}. I will remind you then.`,
  notYourPair: 'You are not a mentor of this pair and cannot check in for it.',
  noPairs: 'You have no active mentorship pair; there is nothing to check in.',
  confirmTitle: "Please confirm your mentor's check-in",
  confirmBody: (mentor, metOn, form) => `Your mentor **${mentor}** logged a meeting on ${metOn} (${form}).`,
  topicsLine: 'Topics: ',
  nextLine: 'Next step: ',
  note: 'What helped, what you need, and what you taught your mentor',
  confirm: 'Confirm',
  dispute: 'That is not right',
  answeredConfirmed: 'Confirmed, thank you!',
  answeredDisputed: 'The department is told this record is wrong. Thank you.',
  alreadyAnswered: 'This check-in has already been answered.',
  notYourCheckin: 'This check-in is not yours to answer.',
  stale: 'This card is not valid; send “todo” to open it again.',
};

export function cardText(lang: CardLang) {
  return lang === 'en' ? en : zh;
}

const option = (value: string, label: string) => ({ text: { tag: 'plain_text', content: label }, value });
const select = (name: string, placeholder: string, options: Array<{ text: unknown; value: string }>) => ({ tag: 'select_static', name, placeholder: { tag: 'plain_text', content: placeholder }, options });
const input = (name: string, label: string, max: number) => ({ tag: 'input', name, label: { tag: 'plain_text', content: label }, max_length: max, placeholder: { tag: 'plain_text', content: label } });
const datePicker = (name: string, placeholder: string, initial?: string) => ({ tag: 'date_picker', name, placeholder: { tag: 'plain_text', content: placeholder }, ...(initial ? { initial_date: initial } : {}) });
const names = (list: Array<{ name: string }>) => list.map((m) => escapeMd(m.name)).join('、');

/** The check-in form for one pair; `issue` shows what was wrong with the last try. */
export function checkinCard(found: PairForCheckin, lang: CardLang, today: string, issue?: CheckinIssue): Card {
  const x = cardText(lang);
  const form: unknown[] = [
    markdown(`**${x.met}**`),
    select('met', x.pick, [option('yes', x.metYes), option('not_yet', x.metNotYet)]),
    markdown(`**${x.metOn}**`),
    datePicker('metOn', x.metOn, today),
    markdown(`**${x.form}**`),
    select('form', x.pick, Object.entries(x.forms).map(([k, v]) => option(k, v))),
    input('topics', x.topics, 500),
  ];
  for (const goal of found.goals) {
    form.push(markdown(escapeMd(x.progress(goal.title))));
    form.push(select(`g${goal.id}`, x.pick, x.levels.map((label, i) => option(String(i + 1), `${i + 1} ${label}`))));
  }
  form.push(input('nextStep', x.nextStep, 300));
  form.push(plainText(x.notYetHint));
  form.push(input('reason', x.reason, 200));
  form.push(datePicker('newDate', x.newDate));
  form.push({ tag: 'button', name: 'send', text: { tag: 'plain_text', content: x.submit }, type: 'primary', form_action_type: 'submit', behaviors: [{ type: 'callback', value: { action: MENTORSHIP_ACTIONS.checkin, p: found.pair.id, l: lang } }] });
  return card(x.checkinTitle, [
    markdown(x.with(names(found.mentees))),
    ...(issue ? [markdown(`**${escapeMd(x.issues[issue])}**`)] : []),
    { tag: 'form', name: 'checkin', elements: form },
  ]);
}

export function loggedCard(found: PairForCheckin, lang: CardLang, metOn: string): Card {
  const x = cardText(lang);
  return card(x.loggedTitle, [markdown(x.logged(metOn, names(found.mentees)))], 'green');
}

export function postponedCard(lang: CardLang, newDate: string): Card {
  const x = cardText(lang);
  return card(x.checkinTitle, [plainText(x.postponed(newDate))], 'grey');
}

export interface ConfirmView {
  checkinId: number;
  mentorName: string;
  metOn: string;
  form: string;
  topics: string;
  nextStep: string | null;
}

/** The mentee's card: what the mentor logged, a line to add, confirm or "that is not right". */
export function confirmCard(view: ConfirmView, lang: CardLang = 'zh'): Card {
  const x = cardText(lang);
  const button = (text: string, action: string, type: string) => ({ tag: 'button', name: action, text: { tag: 'plain_text', content: text }, type, form_action_type: 'submit', behaviors: [{ type: 'callback', value: { action, k: view.checkinId, l: lang } }] });
  return card(x.confirmTitle, [
    markdown(x.confirmBody(escapeMd(view.mentorName), view.metOn, x.forms[view.form] ?? view.form)),
    markdown(`${x.topicsLine}${escapeMd(view.topics)}`),
    ...(view.nextStep ? [markdown(`${x.nextLine}${escapeMd(view.nextStep)}`)] : []),
    {
      tag: 'form',
      name: 'answer',
      elements: [
        input('note', x.note, 300),
        { tag: 'column_set', flex_mode: 'flow', horizontal_spacing: '8px', columns: [button(x.confirm, MENTORSHIP_ACTIONS.confirm, 'primary'), button(x.dispute, MENTORSHIP_ACTIONS.dispute, 'danger')].map((b) => ({ tag: 'column', width: 'auto', elements: [b] })) },
      ],
    },
  ]);
}

export function answeredCard(lang: CardLang, verdict: 'confirmed' | 'disputed'): Card {
  const x = cardText(lang);
  return card(x.confirmTitle, [plainText(verdict === 'confirmed' ? x.answeredConfirmed : x.answeredDisputed)], verdict === 'confirmed' ? 'green' : 'orange');
}

const nudgeText = {
  zh: {
    title: '该和徒弟见面了',
    body: (mentees: string, due: string) => `按结对安排，您与 **${mentees}** 应于 ${due} 前见面。见面后点下方按钮，一分钟就能记下来。`,
    again: '再次提醒：这次见面还没有记录。',
    open: '记录见面',
    digestTitle: '师徒结对逾期提醒',
    digestBody: (n: number) => `以下 ${n} 个结对本期还没有见面记录：`,
    line: (mentors: string, mentees: string, due: string) => `${mentors} → ${mentees}（应于 ${due} 前见面）`,
    list: '查看结对名单',
  },
  en: {
    title: 'Time to meet your mentee',
    body: (mentees: string, due: string) => `You and **${mentees}** are due to meet by ${due}. Once you have met, tap below: it takes a minute.`,
    again: 'Reminder: this meeting has not been logged yet.',
    open: 'Log the meeting',
    digestTitle: 'Mentorship pairs overdue',
    digestBody: (n: number) => `These ${n} pairs have no meeting logged this period:`,
    line: (mentors: string, mentees: string, due: string) => `${mentors} → ${mentees} (due by ${due})`,
    list: 'Open the pairs list',
  },
};

export interface NudgeView {
  pairId: number;
  mentees: Array<{ name: string }>;
  due: string;
}

/** The nudge to the mentor in turn; `again` is the same card updated in place by the ladder's repeat. */
export function nudgeCard(view: NudgeView, again = false, lang: CardLang = 'zh'): Card {
  const x = nudgeText[lang];
  return card(x.title, [
    ...(again ? [markdown(`**${x.again}**`)] : []),
    markdown(x.body(names(view.mentees), view.due)),
    { tag: 'button', text: { tag: 'plain_text', content: x.open }, type: 'primary', behaviors: [{ type: 'callback', value: { action: MENTORSHIP_ACTIONS.open, p: view.pairId, l: lang } }] },
  ], again ? 'orange' : 'blue');
}

export interface DigestLine {
  mentors: Array<{ name: string }>;
  mentees: Array<{ name: string }>;
  due: string;
}

/** The admins' digest: every pair that reached their step of the ladder today, in one card. */
export function overdueDigestCard(lines: DigestLine[], listUrl: string, lang: CardLang = 'zh'): Card {
  const x = nudgeText[lang];
  return card(x.digestTitle, [
    markdown(x.digestBody(lines.length)),
    markdown(lines.map((l) => `- ${x.line(names(l.mentors), names(l.mentees), l.due)}`).join('\n')),
    { tag: 'button', text: { tag: 'plain_text', content: x.list }, type: 'default', behaviors: [{ type: 'open_url', default_url: listUrl }] },
  ], 'orange');
}
