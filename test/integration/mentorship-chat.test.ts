/**
 * Mentorship in the chat, on the sandbox: `打卡` opens the check-in card, the mentor sends it,
 * the mentee gets the confirm card and confirms (or says it is not right); only a confirmed
 * check-in counts. "Not yet" asks a reason and a new date. A mentor outside the pair, or a
 * cadre who is not its mentee, is refused whatever the card's value says, and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { fixedClock } from '../../core/clock.ts';
import { seedDemo } from '../../core/demo.ts';
import { createPair } from '../../core/mentorship/pairs.ts';
import { pairSummaries } from '../../core/mentorship/summaries.ts';
import { ensureBuiltinCalendar, loadWorkCalendar } from '../../core/reminders/store.ts';
import { mentorshipCardActions, mentorshipCommands, mentorshipPending, PURPOSE_CONFIRM } from '../../bot/handlers/mentorship.ts';
import { MENTORSHIP_ACTIONS } from '../../bot/cards/mentorship.ts';
import { mentorshipCheckins, mentorshipGoals, mentorshipPostponements } from '../../db/schema/mentorship.ts';
import { outbox } from '../../db/schema/lark.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { larkHarness } from '../helpers/lark.ts';
import { addUser } from '../helpers/panel.ts';

const TZ = 'Asia/Shanghai';
type Any = any;

function findAll(node: Any, match: (n: Any) => boolean, out: Any[] = []): Any[] {
  if (Array.isArray(node)) node.forEach((n) => findAll(n, match, out));
  else if (node && typeof node === 'object') {
    if (match(node)) out.push(node);
    Object.values(node).forEach((n) => findAll(n, match, out));
  }
  return out;
}
const buttonValue = (cardJson: Any, action: string): Any => findAll(cardJson, (n) => n.tag === 'button' && n.behaviors?.[0]?.value?.action === action)[0]?.behaviors[0].value;

describe('mentorship check-ins in the chat', () => {
  let t: TestDatabase;
  let h: ReturnType<typeof larkHarness>;
  const clock = fixedClock(new Date('2026-03-12T10:00:00+08:00'));
  let members: Array<{ id: number; name: string; openId: string }>;
  let pairId: number;
  let goalId: number;
  let mentor: (typeof members)[number];
  let mentee: (typeof members)[number];
  let outsider: (typeof members)[number];

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltinCalendar(t.db);
    h = larkHarness(t.db);
    const chat = { db: t.db, clock, timeZone: TZ };
    for (const command of mentorshipCommands(chat)) h.bot.router.onCommand(command);
    for (const [id, handler] of Object.entries(mentorshipCardActions(chat))) h.bot.router.onCardAction(id, handler);
    h.pending.register('mentorship', mentorshipPending(chat));
    const [unit] = await t.db.select().from(units).where(eq(units.name, '东山街道'));
    members = (await t.db.select({ id: cadres.id, name: cadres.name, openId: cadres.larkOpenId }).from(cadres).where(eq(cadres.unitId, unit!.id)).orderBy(cadres.id))
      .filter((c) => c.openId)
      .map((c) => ({ ...c, openId: c.openId! }));
    [mentor, mentee, outsider] = [members[0]!, members[1]!, members[2]!];
    const ctx = { actor: await addUser(t.db, 'district', 'district_admin'), scope: { kind: 'all' as const }, ip: null };
    const made = await createPair(t.db, ctx, { mentorIds: [mentor.id], menteeIds: [mentee.id], startsOn: '2026-02-02', cadence: 'fortnightly', status: 'active', pauseReason: null, goals: [{ title: '掌握<信访>接待', status: 'open' }] }, '2026-02-02');
    pairId = (made as { id: number }).id;
    goalId = (await t.db.select().from(mentorshipGoals).where(eq(mentorshipGoals.pairId, pairId)))[0]!.id;
    // The outsider mentors a pair of their own: a mentor, but not of this pair.
    await createPair(t.db, ctx, { mentorIds: [outsider.id], menteeIds: [members[3]!.id], startsOn: '2026-02-02', cadence: 'monthly', status: 'active', pauseReason: null, goals: [] }, '2026-02-02');
  });
  afterAll(() => t.drop());

  const lastCardTo = async (openId: string) => (await h.repliesTo(openId)).filter((r) => r.msgType === 'interactive').at(-1)!;
  const deliver = async (row: { recipient: string; payload: unknown }) => (await h.api.sendMessage({ receiveId: row.recipient, msgType: 'interactive', content: row.payload })).messageId;
  const current = (messageId: string) => JSON.parse(h.sandbox.state.messages.get(messageId)!.content);
  const checkinsOf = () => t.db.select().from(mentorshipCheckins).where(eq(mentorshipCheckins.pairId, pairId)).orderBy(mentorshipCheckins.id);
  const summary = async () => (await pairSummaries(t.db, { kind: 'all' }, { today: '2026-03-12', calendar: await loadWorkCalendar(t.db), timeZone: TZ, pairIds: [pairId] }))[0]!;
  const met = (metOn: string) => ({ met: 'yes', metOn: `${metOn} +0800`, form: 'face_to_face', topics: '信访接待要点', [`g${goalId}`]: '3', nextStep: '下周跟班接待' });

  async function openCheckinCard(who: { openId: string }, word = '打卡') {
    await h.pusher.message(who.openId, word);
    const row = await lastCardTo(who.openId);
    return { row, messageId: await deliver(row) };
  }

  it('opens the check-in form with `打卡`, sends it, and asks the mentee to confirm; nothing counts yet', async () => {
    const { row, messageId } = await openCheckinCard(mentor);
    const text = JSON.stringify(row.payload);
    expect(text).toContain(`掌握&#60;信访&#62;接待`);
    expect(findAll(row.payload, (n) => n.tag === 'form')).toHaveLength(1);
    expect(findAll(row.payload, (n) => n.tag === 'date_picker').map((n) => n.name)).toEqual(['metOn', 'newDate']);

    const res = await h.pusher.cardAction(mentor.openId, { messageId, value: buttonValue(row.payload, MENTORSHIP_ACTIONS.checkin), formValue: met('2026-03-10') });
    expect(res.body.toast.type).toBe('success');
    expect(JSON.stringify(current(messageId))).toContain('2026-03-10');
    const [checkin] = await checkinsOf();
    expect(checkin).toMatchObject({ metOn: '2026-03-10', status: 'submitted', mentorId: mentor.id });
    const confirm = (await t.db.select().from(outbox).where(eq(outbox.purpose, PURPOSE_CONFIRM)))[0]!;
    expect(confirm.recipient).toBe(mentee.openId);
    expect(JSON.stringify(confirm.payload)).toContain('信访接待要点');
    expect((await summary()).lastConfirmedOn).toBeNull();
    expect(await h.pending.listFor(mentee.id)).toEqual([expect.objectContaining({ feature: 'mentorship', open: { action: MENTORSHIP_ACTIONS.openConfirm, value: { k: checkin!.id } } })]);
  });

  it('counts the check-in once the mentee confirms it with a line; a second click changes nothing', async () => {
    const confirm = (await t.db.select().from(outbox).where(eq(outbox.purpose, PURPOSE_CONFIRM)))[0]!;
    const messageId = await deliver(confirm);
    const value = buttonValue(confirm.payload, MENTORSHIP_ACTIONS.confirm);
    // The mentor cannot confirm their own check-in.
    const self = await h.pusher.cardAction(mentor.openId, { messageId, value, formValue: { note: '自己确认' } });
    expect(self.body.toast.type).toBe('warning');
    const res = await h.pusher.cardAction(mentee.openId, { messageId, value, formValue: { note: '学会了接待流程，也教导师用了新系统' } });
    expect(res.body.toast.type).toBe('success');
    const [checkin] = await checkinsOf();
    expect(checkin).toMatchObject({ status: 'confirmed', menteeNote: '学会了接待流程，也教导师用了新系统', answeredBy: mentee.id });
    expect((await summary()).lastConfirmedOn).toBe('2026-03-10');
    const again = await h.pusher.cardAction(mentee.openId, { messageId, value: buttonValue(confirm.payload, MENTORSHIP_ACTIONS.dispute), formValue: { note: '' } });
    expect(again.body.toast.content).toBe('这条记录已经确认过了。');
    expect((await checkinsOf())[0]!.status).toBe('confirmed');
  });

  it('lets the mentee say a check-in is not right, and a disputed one does not count', async () => {
    const { row, messageId } = await openCheckinCard(mentor);
    await h.pusher.cardAction(mentor.openId, { messageId, value: buttonValue(row.payload, MENTORSHIP_ACTIONS.checkin), formValue: met('2026-03-12') });
    const confirm = (await t.db.select().from(outbox).where(eq(outbox.purpose, PURPOSE_CONFIRM))).at(-1)!;
    const res = await h.pusher.cardAction(mentee.openId, { messageId: await deliver(confirm), value: buttonValue(confirm.payload, MENTORSHIP_ACTIONS.dispute), formValue: { note: '那天没有见面' } });
    expect(res.body.toast.type).toBe('success');
    expect((await checkinsOf()).at(-1)!.status).toBe('disputed');
    expect((await summary()).lastConfirmedOn).toBe('2026-03-10');
  });

  it('refuses a mentor outside the pair who sends its card value, and writes nothing', async () => {
    const { row } = await openCheckinCard(mentor);
    const value = buttonValue(row.payload, MENTORSHIP_ACTIONS.checkin);
    const before = (await checkinsOf()).length;
    const { messageId } = await openCheckinCard(outsider);
    const res = await h.pusher.cardAction(outsider.openId, { messageId, value, formValue: met('2026-03-11') });
    expect(res.body.toast).toEqual({ type: 'warning', content: '您不是这个结对的导师，不能为它打卡。' });
    expect(await checkinsOf()).toHaveLength(before);
    const opened = await h.pusher.cardAction(outsider.openId, { messageId, value: { action: MENTORSHIP_ACTIONS.open, p: pairId } });
    expect(opened.body.toast.type).toBe('warning');
  });

  it('asks for a reason and a new date when they have not met yet, and refuses a date in the past or in the future', async () => {
    const { row, messageId } = await openCheckinCard(mentor);
    const value = buttonValue(row.payload, MENTORSHIP_ACTIONS.checkin);
    const noReason = await h.pusher.cardAction(mentor.openId, { messageId, value, formValue: { met: 'not_yet', newDate: '2026-03-20 +0800' } });
    expect(noReason.body.toast).toEqual({ type: 'error', content: '请写明还没有见面的原因。' });
    const past = await h.pusher.cardAction(mentor.openId, { messageId, value, formValue: { met: 'not_yet', reason: '徒弟外出学习', newDate: '2026-03-01 +0800' } });
    expect(past.body.toast.content).toBe('请选择今天或以后的新日期。');
    const future = await h.pusher.cardAction(mentor.openId, { messageId, value, formValue: met('2026-03-13') });
    expect(future.body.toast.content).toBe('见面日期不能晚于今天。');
    expect(await t.db.select().from(mentorshipPostponements)).toHaveLength(0);
    const ok = await h.pusher.cardAction(mentor.openId, { messageId, value, formValue: { met: 'not_yet', reason: '徒弟外出学习', newDate: '2026-03-20 +0800' } });
    expect(ok.body.toast.type).toBe('success');
    expect(await t.db.select().from(mentorshipPostponements)).toEqual([expect.objectContaining({ pairId, mentorId: mentor.id, newDate: '2026-03-20', reason: '徒弟外出学习' })]);
  });

  it('answers `check in` in English, and tells a cadre with no pair there is nothing to check in', async () => {
    const { row } = await openCheckinCard(mentor, 'check in');
    expect(JSON.stringify(row.payload)).toContain('Mentorship check-in');
    expect(buttonValue(row.payload, MENTORSHIP_ACTIONS.checkin).l).toBe('en');
    const nobody = members[5]!;
    await h.pusher.message(nobody.openId, '打卡');
    const replies = await h.repliesTo(nobody.openId);
    expect(replies.at(-1)!.payload).toEqual({ text: '您目前没有进行中的师徒结对，无需打卡。' });
  });
});
