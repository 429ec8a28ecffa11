/**
 * Democratic evaluation in the chat, end to end on the sandbox: invitations, a ballot answered
 * click by click, submit exactly once, closed campaigns, tampered drafts, reminders (quiet
 * hours, the cap, sweeps that run twice), "remind me in 2 hours", the daily digest, and the
 * anonymity rules checked on the rows and log lines the flow left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import { fixedClock } from '../../core/clock.ts';
import { demoOpenId, seedDemo } from '../../core/demo.ts';
import { createCampaign, leadersOfUnits, openCampaign, proposeRaters, saveRaters, setTargets, type RaterAssignment } from '../../core/evaluation/campaigns.ts';
import { campaignResults } from '../../core/evaluation/results.ts';
import { sealKeyFrom } from '../../core/evaluation/seal.ts';
import { DEFAULT_REMINDER_PLAN } from '../../core/evaluation/reminders.ts';
import { ANNUAL_ASSESSMENT, ensureBuiltInTemplates, latestTemplateVersion, templateIdByKey, templateItems } from '../../core/evaluation/templates.ts';
import { verifyBallotLink } from '../../core/evaluation/ballot-link.ts';
import { ALREADY_SUBMITTED, NOT_A_RATER, evaluationCardActions, evaluationPending } from '../../bot/handlers/evaluation.ts';
import { CARD_LIMIT_BYTES, cardBytes, ballotStepCard, reviewCard } from '../../bot/cards/evaluation.ts';
import { EVALUATION_JOB, evaluationProcessor, fireSnooze, sendDigests, sendInvitations, sweepReminders, PURPOSE, type EvaluationJobDeps } from '../../jobs/workers/evaluation.ts';
import { evaluationBallots } from '../../db/schema/evaluation.ts';
import { outbox } from '../../db/schema/lark.ts';
import { markSent } from '../../core/outbox.ts';
import { cadres, units } from '../../db/schema/org.ts';
import { panelUsers } from '../../db/schema/users.ts';
import { sealDraft } from '../../core/evaluation/seal.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { larkHarness, VERIFICATION_TOKEN } from '../helpers/lark.ts';
import { memoryLogger } from '../helpers/log.ts';

const TZ = 'Asia/Shanghai';
const key = sealKeyFrom('test-secret');
const ITEMS = templateItems(ANNUAL_ASSESSMENT).map((i) => i.key);
/** Local (Asia/Shanghai) wall time as an instant. */
const local = (iso: string) => new Date(`${iso}+08:00`);

type Any = any;

/** Depth-first: every object in a card that matches. */
function findAll(node: Any, match: (n: Any) => boolean, out: Any[] = []): Any[] {
  if (Array.isArray(node)) node.forEach((n) => findAll(n, match, out));
  else if (node && typeof node === 'object') {
    if (match(node)) out.push(node);
    Object.values(node).forEach((n) => findAll(n, match, out));
  }
  return out;
}
const buttonValue = (cardJson: Any, action: string): Any => findAll(cardJson, (n) => n.tag === 'button' && n.behaviors?.[0]?.value?.action === action)[0]?.behaviors[0].value;
const selects = (cardJson: Any): Any[] => findAll(cardJson, (n) => n.tag === 'select_static');

describe('democratic evaluation in the chat', () => {
  let t: TestDatabase;
  let h: ReturnType<typeof larkHarness>;
  let deps: EvaluationJobDeps;
  let campaignId: number;
  let proposal: RaterAssignment[];
  let orgUnit: number;
  const clock = fixedClock(local('2026-12-01T09:05:00'));
  const flushed: string[] = [];
  const snoozes: Array<{ campaignId: number; cadreId: number; at: Date }> = [];
  const jobLog = memoryLogger();
  /** cadre id → open id */
  const openIdOf = new Map<number, string>();
  let rater: number; // a subordinate with one assignment: answers and submits
  let other: number; // another subordinate: tampering, reminders
  let outsider: number; // not a rater

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    await ensureBuiltInTemplates(t.db);
    h = larkHarness(t.db);
    const chat = {
      db: t.db,
      sealKey: key,
      clock,
      timeZone: TZ,
      publicUrl: 'https://miaopu.test',
      snooze: async (input: (typeof snoozes)[number]) => {
        snoozes.push(input);
      },
    };
    for (const [id, handler] of Object.entries(evaluationCardActions(chat))) h.bot.router.onCardAction(id, handler);
    h.pending.register('evaluation', evaluationPending(chat));
    deps = { db: t.db, clock, timeZone: TZ, sealKey: key, publicUrl: 'https://miaopu.test', flushOutbox: async (ids) => void flushed.push(...ids), log: jobLog };

    const [org] = await t.db.select().from(units).where(eq(units.name, '区委组织部'));
    orgUnit = org!.id;
    const versionId = (await latestTemplateVersion(t.db, (await templateIdByKey(t.db, 'annual_assessment'))!))!.id;
    const campaign = await createCampaign(
      t.db,
      {
        title: '2026年度民主测评',
        kind: 'annual',
        year: 2026,
        templateVersionId: versionId,
        opensAt: local('2026-12-01T09:00:00'),
        closesAt: local('2026-12-05T18:00:00'),
        unitIds: [orgUnit],
        reminderPlan: { ...DEFAULT_REMINDER_PLAN, maxReminders: 2 },
      },
      null,
    );
    campaignId = campaign.id;
    await setTargets(t.db, campaignId, await leadersOfUnits(t.db, [orgUnit]), null);
    proposal = await proposeRaters(t.db, campaignId);
    await saveRaters(t.db, campaignId, proposal, null);
    await openCampaign(t.db, campaignId, clock, null);

    for (const c of await t.db.select({ id: cadres.id, openId: cadres.larkOpenId }).from(cadres)) if (c.openId) openIdOf.set(c.id, c.openId);
    const single = proposal.filter((a) => a.category === 'subordinate' && proposal.filter((b) => b.cadreId === a.cadreId).length === 1);
    rater = single[0]!.cadreId;
    other = single[1]!.cadreId;
    outsider = [...openIdOf.keys()].find((id) => !proposal.some((a) => a.cadreId === id))!;
  });
  afterAll(() => t.drop());

  const raterIds = () => [...new Set(proposal.map((a) => a.cadreId))];
  const rowsFor = (purpose: string) => t.db.select().from(outbox).where(eq(outbox.purpose, purpose));
  const click = (cadreId: number, messageId: string, value: Any, formValue?: Record<string, string>) =>
    h.pusher.cardAction(openIdOf.get(cadreId)!, { messageId, value, ...(formValue ? { formValue } : {}) });
  const currentCard = (messageId: string) => JSON.parse(h.sandbox.state.messages.get(messageId)!.content);
  /** Puts a queued card into the sandbox chat, as the outbox worker would. */
  async function deliver(row: { recipient: string; payload: unknown }) {
    return (await h.api.sendMessage({ receiveId: row.recipient, msgType: 'interactive', content: row.payload })).messageId;
  }
  /** Slips cast: in the box or still held for it. */
  const ballotCount = async () =>
    (await t.db.execute<{ n: number }>(sql`select (select count(*) from evaluation_ballots)::int + (select count(*) from evaluation_held_slips)::int as n`))[0]!.n;

  it('invites every rater, and only raters, once, with a signed web link', async () => {
    // The sweep catches an open campaign whose invitations were never sent (no opening job ran);
    // the invitation is the opening notice, so no reminder goes with it.
    expect(await sweepReminders(deps)).toEqual({ invitations: raterIds().length, reminders: 0, digests: 0, held: 0 });
    const rows = await rowsFor(PURPOSE.invitation);
    expect(new Set(rows.map((r) => r.recipient))).toEqual(new Set(raterIds().map((id) => openIdOf.get(id))));
    expect(rows.some((r) => r.recipient === openIdOf.get(outsider))).toBe(false);
    // Running again (the job re-delivered, or the sweep catching up) writes nothing.
    expect(await sendInvitations(deps, campaignId)).toBe(0);
    expect((await sweepReminders(deps)).invitations).toBe(0);
    expect(await rowsFor(PURPOSE.invitation)).toHaveLength(rows.length);

    const mine = rows.find((r) => r.recipient === openIdOf.get(rater))!;
    const text = JSON.stringify(mine.payload);
    expect(text).toContain('2026年度民主测评');
    expect(text).toContain('年度考核');
    expect(text).toContain('12月5日 18:00');
    expect(text).toContain('需评价**：4 人');
    expect(text).toContain('开始测评');
    const link = findAll(mine.payload, (n) => n.type === 'open_url')[0].default_url as string;
    expect(link).toMatch(/^https:\/\/miaopu\.test\/ballot\//);
    expect(verifyBallotLink(key, link.split('/ballot/')[1]!, clock.now())).toMatchObject({ campaignId, cadreId: rater, category: 'subordinate' });
  });

  it('lists the open campaign in 待办 for a rater, not for an outsider', async () => {
    const items = await h.pending.listFor(rater);
    expect(items).toEqual([expect.objectContaining({ feature: 'evaluation', title: '2026年度民主测评', open: { action: 'evaluation.start', value: { c: campaignId, k: 'subordinate' } } })]);
    expect(await h.pending.listFor(outsider)).toEqual([]);
  });

  it('walks a rater through the ballot step by step; back and forward keep the answers; submit records it once', async () => {
    clock.set(local('2026-12-02T11:00:00'));
    const invitation = (await rowsFor(PURPOSE.invitation)).find((r) => r.recipient === openIdOf.get(rater))!;
    const messageId = await deliver(invitation);
    const started = await click(rater, messageId, buttonValue(invitation.payload, 'evaluation.start'));
    expect(started.status).toBe(200);
    let card = currentCard(messageId);
    expect(JSON.stringify(card)).toContain('1 / 4');
    expect(selects(card)).toHaveLength(ITEMS.length + 1);
    expect(cardBytes(card)).toBeLessThan(CARD_LIMIT_BYTES);

    const answer = (level: string, grade: string) => ({ ...Object.fromEntries(ITEMS.map((k) => [k, level])), grade__: grade });
    // Target 1: all 好, 优秀; forward.
    await click(rater, messageId, buttonValue(card, 'evaluation.next'), answer('good', 'excellent'));
    card = currentCard(messageId);
    expect(JSON.stringify(card)).toContain('2 / 4');
    // Target 2: all 较好, 称职; then back: target 1 shows its answers.
    await click(rater, messageId, buttonValue(card, 'evaluation.back'), answer('fairly_good', 'competent'));
    card = currentCard(messageId);
    expect(JSON.stringify(card)).toContain('1 / 4');
    expect(selects(card).map((s) => s.initial_option)).toEqual([...ITEMS.map(() => 'good'), 'excellent']);
    // A single choice sent on its own (a standalone select) is kept too, on the same step.
    const choose = (level: string) =>
      h.pusher.cardAction(openIdOf.get(rater)!, { messageId, value: { ...buttonValue(currentCard(messageId), 'evaluation.next'), action: 'evaluation.answer' }, tag: 'select_static', name: ITEMS[1]!, option: level });
    await choose('fairly_good');
    card = currentCard(messageId);
    expect(JSON.stringify(card)).toContain('1 / 4');
    expect(selects(card)[1].initial_option).toBe('fairly_good');
    await choose('good');
    card = currentCard(messageId);
    expect(selects(card).map((s) => s.initial_option)).toEqual([...ITEMS.map(() => 'good'), 'excellent']);
    // Forward without changes: target 2 still has its answers.
    await click(rater, messageId, buttonValue(card, 'evaluation.next'), {});
    card = currentCard(messageId);
    expect(selects(card).map((s) => s.initial_option)).toEqual([...ITEMS.map(() => 'fairly_good'), 'competent']);
    await click(rater, messageId, buttonValue(card, 'evaluation.next'), answer('fairly_good', 'competent'));
    card = currentCard(messageId);
    // Target 3 half done, then the review says what is missing and offers no submit.
    await click(rater, messageId, buttonValue(card, 'evaluation.review'), { [ITEMS[0]!]: 'average' });
    card = currentCard(messageId);
    expect(JSON.stringify(card)).toContain('未完成');
    expect(buttonValue(card, 'evaluation.submit')).toBeUndefined();
    await click(rater, messageId, buttonValue(card, 'evaluation.goto'));
    card = currentCard(messageId);
    expect(JSON.stringify(card)).toContain('3 / 4');
    await click(rater, messageId, buttonValue(card, 'evaluation.next'), answer('average', 'basically_competent'));
    card = currentCard(messageId);
    expect(JSON.stringify(card)).toContain('4 / 4');
    await click(rater, messageId, buttonValue(card, 'evaluation.review'), answer('good', 'competent'));
    card = currentCard(messageId);
    const review = JSON.stringify(card);
    expect(review).toContain('好×10');
    expect(review).toContain('较好×10');
    expect(review).toContain('一般×10');
    expect(review).not.toContain('未完成');

    const submit = buttonValue(card, 'evaluation.submit');
    const staleNext = buttonValue(currentCard(messageId), 'evaluation.goto');
    const logLines = h.log.lines.length;
    const started3s = Date.now();
    const done = await click(rater, messageId, submit);
    expect(Date.now() - started3s).toBeLessThan(3000);
    expect(done.body.toast).toMatchObject({ type: 'success' });
    expect(currentCard(messageId).header.title.content).toContain('已提交 ✓');
    // Nothing was logged for the submission.
    expect(h.log.lines.length).toBe(logLines);

    // The ballot's four slips wait sealed for the box; its results stay sealed until closing.
    expect(await ballotCount()).toBe(4);
    expect((await t.db.select({ n: sql<number>`count(*)::int` }).from(evaluationBallots))[0]!.n).toBe(0);
    await expect(campaignResults(t.db, campaignId)).rejects.toMatchObject({ code: 'results_sealed' });

    // A double click, the old card's buttons, the invitation's start button: one ballot still.
    const again = await click(rater, messageId, submit);
    expect(again.body.toast.content).toBe(ALREADY_SUBMITTED);
    const stale = await click(rater, messageId, staleNext);
    expect(stale.body.toast.content).toBe(ALREADY_SUBMITTED);
    const restart = await click(rater, messageId, buttonValue(invitation.payload, 'evaluation.start'));
    expect(restart.body.toast.content).toBe(ALREADY_SUBMITTED);
    expect(await ballotCount()).toBe(4);
    expect(await h.pending.listFor(rater)).toEqual([]);
  });

  it('a callback Lark delivers twice is acted on once', async () => {
    const invitation = (await rowsFor(PURPOSE.invitation)).find((r) => r.recipient === openIdOf.get(other))!;
    const messageId = await deliver(invitation);
    await click(other, messageId, buttonValue(invitation.payload, 'evaluation.start'));
    let card = currentCard(messageId);
    for (let i = 0; i < 4; i++) {
      const action = i < 3 ? 'evaluation.next' : 'evaluation.review';
      await click(other, messageId, buttonValue(card, action), { ...Object.fromEntries(ITEMS.map((k) => [k, 'good'])), grade__: 'excellent' });
      card = currentCard(messageId);
    }
    const submit = buttonValue(card, 'evaluation.submit');
    const envelope = {
      schema: '2.0',
      header: { event_id: `ev_resubmit_${campaignId}`, event_type: 'card.action.trigger', create_time: String(Date.now()), token: VERIFICATION_TOKEN, app_id: h.sandbox.state.appId, tenant_key: 'sandbox' },
      event: { operator: { open_id: openIdOf.get(other) }, action: { tag: 'button', value: submit }, context: { open_message_id: messageId } },
    };
    const first = await h.pusher.push(envelope);
    const second = await h.pusher.push(envelope);
    expect(first.body.toast.type).toBe('success');
    expect(second).toMatchObject({ status: 200, body: {} });
    expect(await ballotCount()).toBe(8);
  });

  it('refuses a tampered draft, a draft sealed for someone else, and a cadre who is not a rater', async () => {
    const third = proposal.filter((a) => a.category === 'subordinate' && ![rater, other].includes(a.cadreId) && proposal.filter((b) => b.cadreId === a.cadreId).length === 1)[0]!.cadreId;
    const invitation = (await rowsFor(PURPOSE.invitation)).find((r) => r.recipient === openIdOf.get(third))!;
    const messageId = await deliver(invitation);
    await click(third, messageId, buttonValue(invitation.payload, 'evaluation.start'));
    const next = buttonValue(currentCard(messageId), 'evaluation.next');
    const flipped = next.d.slice(0, 40) + (next.d[40] === 'A' ? 'B' : 'A') + next.d.slice(41);
    const tampered = await click(third, messageId, { ...next, d: flipped }, {});
    expect(tampered.body.toast).toMatchObject({ type: 'error', content: expect.stringContaining('草稿已失效') });
    // A complete draft sealed for another rater cannot be submitted as this one.
    const targets = proposal.find((a) => a.cadreId === third)!.targetIds;
    const foreign = sealDraft(key, { campaignId, raterId: rater }, { k: 'subordinate', a: Object.fromEntries(targets.map((id) => [String(id), '00000000000'])) });
    const refused = await click(third, messageId, { action: 'evaluation.submit', c: campaignId, k: 'subordinate', d: foreign });
    expect(refused.body.toast).toMatchObject({ type: 'error', content: expect.stringContaining('草稿已失效') });
    expect(await ballotCount()).toBe(8);

    const { messageId: outsiderMessage } = await h.api.sendMessage({ receiveId: openIdOf.get(outsider)!, msgType: 'text', content: { text: 'x' } });
    const notRater = await click(outsider, outsiderMessage, { action: 'evaluation.start', c: campaignId, k: 'peer' });
    expect(notRater.body.toast.content).toBe(NOT_A_RATER);
  });

  it('reminds only non-responders, never in quiet hours, at most N times, once per slot', async () => {
    const waiting = raterIds().filter((id) => id !== rater && id !== other);
    clock.set(local('2026-12-02T22:30:00'));
    expect(await sweepReminders(deps)).toEqual({ invitations: 0, reminders: 0, digests: 0, held: 0 });

    clock.set(local('2026-12-03T08:05:00'));
    expect((await sweepReminders(deps)).reminders).toBe(waiting.length);
    const reminded = (await rowsFor(PURPOSE.reminder)).map((r) => r.recipient);
    expect(new Set(reminded)).toEqual(new Set(waiting.map((id) => openIdOf.get(id))));
    expect(reminded).not.toContain(openIdOf.get(rater));
    expect(reminded).not.toContain(openIdOf.get(other));
    // The sweep runs again a few minutes later: nothing new.
    clock.set(local('2026-12-03T08:10:00'));
    expect((await sweepReminders(deps)).reminders).toBe(0);

    clock.set(local('2026-12-03T10:05:00'));
    expect((await sweepReminders(deps)).reminders).toBe(waiting.length);
    // maxReminders is 2: the next day's slot sends nothing.
    clock.set(local('2026-12-04T10:05:00'));
    expect((await sweepReminders(deps)).reminders).toBe(0);
    expect(await rowsFor(PURPOSE.reminder)).toHaveLength(waiting.length * 2);
    const card = JSON.stringify((await rowsFor(PURPOSE.reminder))[0]!.payload);
    expect(card).toContain('2小时后提醒我');
  });

  it('"remind me in 2 hours" schedules a reminder that re-checks the rater has not voted', async () => {
    clock.set(local('2026-12-04T11:00:00'));
    const waiting = raterIds().find((id) => id !== rater && id !== other)!;
    const reminder = (await rowsFor(PURPOSE.reminder)).find((r) => r.recipient === openIdOf.get(waiting))!;
    const messageId = await deliver(reminder);
    const answered = await click(waiting, messageId, buttonValue(reminder.payload, 'evaluation.remind_later'));
    expect(answered.body.toast).toMatchObject({ type: 'success', content: expect.stringContaining('13:00') });
    expect(snoozes).toEqual([{ campaignId, cadreId: waiting, at: local('2026-12-04T13:00:00') }]);

    clock.set(local('2026-12-04T13:00:00'));
    const before = (await rowsFor(PURPOSE.reminder)).length;
    expect(await fireSnooze(deps, { campaignId, cadreId: waiting, at: snoozes[0]!.at.toISOString() })).toBe(true);
    // The same job delivered twice: one message.
    expect(await fireSnooze(deps, { campaignId, cadreId: waiting, at: snoozes[0]!.at.toISOString() })).toBe(false);
    expect(await rowsFor(PURPOSE.reminder)).toHaveLength(before + 1);
    // The rater who already voted gets nothing even if a snooze fires.
    expect(await fireSnooze(deps, { campaignId, cadreId: rater, at: local('2026-12-04T13:00:00').toISOString() })).toBe(false);
    // Asking late in the evening: the reminder waits until quiet hours end.
    clock.set(local('2026-12-04T20:00:00'));
    await click(waiting, messageId, buttonValue(reminder.payload, 'evaluation.remind_later'));
    expect(snoozes[1]!.at).toEqual(local('2026-12-05T08:00:00'));
  });

  it('sends each unit admin with a Lark account their units\u2019 turnout once a day', async () => {
    await t.db.insert(panelUsers).values([
      { username: 'org-admin', displayName: '组织部管理员', passwordHash: 'x', role: 'unit_admin', unitId: orgUnit, larkOpenId: 'ou_org_admin' },
      { username: 'no-lark', displayName: '未绑定飞书', passwordHash: 'x', role: 'unit_admin', unitId: orgUnit },
    ]);
    clock.set(local('2026-12-04T17:30:00'));
    expect(await sendDigests(deps)).toBe(1);
    expect(await sendDigests(deps)).toBe(0);
    const [digest] = await rowsFor(PURPOSE.digest);
    expect(digest!.recipient).toBe('ou_org_admin');
    const orgRaters = (await t.db.select({ id: cadres.id }).from(cadres).where(eq(cadres.unitId, orgUnit))).map((c) => c.id);
    const assigned = proposal.filter((a) => orgRaters.includes(a.cadreId)).length;
    expect(JSON.stringify(digest!.payload)).toContain(`已提交 2 / ${assigned} 人`);
  });

  it('keeps ballots anonymous: no row written with the ballot, no rater next to a ballot', async () => {
    // While open, the two ballots cast in the chat wait sealed, one transaction each.
    const held = await t.sql`select xmin::text as x, sealed from evaluation_held_slips`;
    const ballotXids = [...new Set(held.map((b) => b.x as string))];
    const sealedSlips = held.map((b) => (b.sealed as string).slice(0, 48));
    expect(ballotXids.length).toBe(2);
    const tables = await t.sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`;
    for (const { table_name: table } of tables) {
      // The ledger is rewritten by every submission: all its rows carry the latest stamp.
      if (['evaluation_held_slips', 'evaluation_completions'].includes(table as string)) continue;
      const [row] = await t.sql.unsafe(`select count(*)::int as n from "${table}" where xmin::text = any($1)`, [ballotXids]);
      expect({ table, n: row!.n }).toEqual({ table, n: 0 });
    }
    // Nor in the transaction just before or after it (the router's, which holds the event claim):
    // a row naming a cadre there would date that cadre's vote next to the ballot.
    const near = ballotXids.flatMap((x) => [String(Number(x) - 1), String(Number(x) + 1)]);
    const [naming] = await t.sql`select (select count(*)::int from outbox where cadre_id is not null and xmin::text = any(${near})) + (select count(*)::int from audit_log where xmin::text = any(${near})) as n`;
    expect(naming!.n).toBe(0);
    const texts = [
      ...(await t.db.select().from(outbox)).map((r) => JSON.stringify(r)),
      ...(await t.sql`select row_to_json(a)::text as j from audit_log a`).map((r) => r.j as string),
      ...h.log.lines.map((l) => JSON.stringify(l)),
      ...jobLog.lines.map((l) => JSON.stringify(l)),
    ];
    for (const text of texts) for (const slip of sealedSlips) expect(text).not.toContain(slip);
  });

  it('answers "测评已结束" once the campaign has closed', async () => {
    clock.set(local('2026-12-05T18:00:01'));
    const waiting = raterIds().find((id) => id !== rater && id !== other)!;
    const invitation = (await rowsFor(PURPOSE.invitation)).find((r) => r.recipient === openIdOf.get(waiting))!;
    const messageId = await deliver(invitation);
    const closed = await click(waiting, messageId, buttonValue(invitation.payload, 'evaluation.start'));
    expect(closed.body.toast.content).toBe('测评已结束');
    expect(currentCard(messageId).header.title.content).toContain('测评已结束');
    expect((await sweepReminders(deps)).reminders).toBe(0);
    expect(await h.pending.listFor(waiting)).toEqual([]);
    // The outbox worker had sent that invitation: once closed, its card is patched to say so.
    await markSent(t.db, invitation.id, messageId, clock.now());
    // The scheduled close job closes it for good.
    expect(await evaluationProcessor(deps)({ name: EVALUATION_JOB.closeDue, data: {} } as Any)).toEqual({ closed: [campaignId] });
    expect((await t.sql`select status from evaluation_campaigns where id = ${campaignId}`)[0]!.status).toBe('closed');
    // Closing let the held slips into the box: the two ballots cast in the chat are counted.
    const results = await campaignResults(t.db, campaignId);
    const myTargets = proposal.find((a) => a.cadreId === rater)!.targetIds;
    for (const target of results.targets.filter((r) => myTargets.includes(r.cadreId))) expect(target.score.ballots).toBe(2);
    const distribution = results.targets.reduce((acc, r) => {
      for (const [score, n] of Object.entries(r.score.distribution)) acc[score] = (acc[score] ?? 0) + n;
      return acc;
    }, {} as Record<string, number>);
    expect(distribution).toEqual({ 100: 60, 80: 10, 60: 10 });
    expect((await t.db.select({ n: sql<number>`count(*)::int` }).from(evaluationBallots))[0]!.n).toBe(8);
    const patches = await rowsFor(PURPOSE.closed);
    expect(patches).toEqual([expect.objectContaining({ kind: 'patch', larkMessageId: messageId, recipient: openIdOf.get(waiting) })]);
    expect(JSON.stringify(patches[0]!.payload)).toContain('测评已结束');
  });

  it('keeps a ballot card for fifty targets under Lark\u2019s card size limit', async () => {
    const [campaign] = await t.sql`select * from evaluation_campaigns where id = ${campaignId}`;
    const targets = Array.from({ length: 60 }, (_, i) => ({ id: 1000 + i, name: '欧阳某某', unit: '青禾区某某街道办事处', position: '党工委副书记、办事处主任' }));
    const draft = { k: 'peer' as const, a: Object.fromEntries(targets.map((tg) => [String(tg.id), '0123012301' + '1'])) };
    const view = { campaign: { ...campaign, id: campaignId, title: '2026年度民主测评', closesAt: new Date() } as Any, category: 'peer' as const, def: ANNUAL_ASSESSMENT, targets, draft, sealed: sealDraft(key, { campaignId, raterId: 1 }, draft) };
    expect(cardBytes(ballotStepCard(view, 30))).toBeLessThan(CARD_LIMIT_BYTES);
    expect(cardBytes(reviewCard(view))).toBeLessThan(CARD_LIMIT_BYTES);
  });
});
