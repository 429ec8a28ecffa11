import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { encrypt, signature } from '../../bot/crypto.ts';
import { seedDemo, demoOpenId } from '../../core/demo.ts';
import { larkEvents, outbox } from '../../db/schema/lark.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { ENCRYPT_KEY, larkHarness, VERIFICATION_TOKEN } from '../helpers/lark.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await testDatabase();
  await seedDemo(t.db);
});
afterAll(() => t.drop());
beforeEach(async () => {
  await t.db.execute(sql`truncate outbox, lark_events`);
});

const counts = async () => {
  const [row] = await t.db.execute<{ events: number; messages: number }>(
    sql`select (select count(*)::int from lark_events) as events, (select count(*)::int from outbox) as messages`,
  );
  return row!;
};

function envelope(openId: string, text: string, token = VERIFICATION_TOKEN) {
  return {
    schema: '2.0',
    header: { event_id: randomBytes(16).toString('hex'), event_type: 'im.message.receive_v1', create_time: String(Date.now()), token, app_id: 'cli_a1b2c3d4e5f60718', tenant_key: 'sandbox' },
    event: {
      sender: { sender_id: { open_id: openId }, sender_type: 'user', tenant_key: 'sandbox' },
      message: { message_id: `om_${randomBytes(8).toString('hex')}`, chat_id: 'oc_x', chat_type: 'p2p', message_type: 'text', content: JSON.stringify({ text }) },
    },
  };
}

/** A signed, encrypted request as Lark sends it; `tamper` changes one thing. */
function larkRequest(body: unknown, tamper: { signature?: boolean; timestampOffsetS?: number } = {}) {
  const raw = JSON.stringify({ encrypt: encrypt(ENCRYPT_KEY, JSON.stringify(body)) });
  const timestamp = String(Math.floor(Date.now() / 1000) + (tamper.timestampOffsetS ?? 0));
  const nonce = 'n0nce';
  let sig = signature(timestamp, nonce, ENCRYPT_KEY, raw);
  if (tamper.signature) sig = sig.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
  return new Request('http://miaopu.test/lark/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce, 'x-lark-signature': sig },
    body: raw,
  });
}

describe('Lark receiver', () => {
  it('answers the URL challenge, plain and encrypted', async () => {
    const plain = larkHarness(t.db, {});
    expect(await plain.pusher.challenge('ajls384kdjx98XX')).toMatchObject({ status: 200, body: { challenge: 'ajls384kdjx98XX' } });
    const secure = larkHarness(t.db);
    expect(await secure.pusher.challenge('c-42')).toMatchObject({ status: 200, body: { challenge: 'c-42' } });
  });

  it('takes a signed, encrypted message and answers the cadre with the help card', async () => {
    const h = larkHarness(t.db);
    const me = demoOpenId(12);
    const result = await h.pusher.message(me, '帮助');
    expect(result).toMatchObject({ status: 200, attempts: 1 });
    const replies = await h.repliesTo(me);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ msgType: 'interactive', status: 'pending', purpose: 'reply' });
    expect(JSON.stringify(replies[0]!.payload)).toContain('使用帮助');
    expect(h.flushed).toEqual([replies[0]!.id]);
  });

  it('understands English commands and answers free text with the short help card', async () => {
    const h = larkHarness(t.db);
    const me = demoOpenId(13);
    await h.pusher.message(me, 'HELP');
    await h.pusher.message(me, 'todo');
    await h.pusher.message(me, '今天天气怎么样');
    const [help, todo, unknown] = await h.repliesTo(me);
    expect(JSON.stringify(help!.payload)).toContain('使用帮助');
    expect(JSON.stringify(todo!.payload)).toContain('目前没有需要您处理的事项');
    expect(JSON.stringify(unknown!.payload)).toContain('没太明白');
  });

  it('lists what is pending from every registered feature, each with a button that opens it', async () => {
    const h = larkHarness(t.db);
    h.pending.register('evaluation', async () => [
      { feature: 'evaluation', title: '2026年度民主测评', detail: '截止 12月5日', dueAt: new Date('2026-12-05'), open: { action: 'evaluation.open', value: { campaign: 7 } } },
    ]);
    h.pending.register('training', async () => [{ feature: 'training', title: '班前自学确认', dueAt: new Date('2026-12-01'), open: { url: 'http://miaopu.test/training/3' } }]);
    const me = demoOpenId(14);
    await h.pusher.message(me, '待办');
    const [reply] = await h.repliesTo(me);
    const elements = (reply!.payload as { body: { elements: any[] } }).body.elements;
    const text = JSON.stringify(elements);
    expect(text.indexOf('班前自学确认')).toBeLessThan(text.indexOf('2026年度民主测评'));
    const buttons = elements.filter((e) => e.tag === 'button' && e.text.content === '去处理');
    expect(buttons.map((b) => b.behaviors[0])).toEqual([
      { type: 'open_url', default_url: 'http://miaopu.test/training/3' },
      { type: 'callback', value: { campaign: 7, action: 'evaluation.open' } },
    ]);
  });

  it('refuses a tampered signature, an old timestamp and a wrong token, changing nothing', async () => {
    const h = larkHarness(t.db);
    const me = demoOpenId(15);
    const tampered = await h.app.fetch(larkRequest(envelope(me, '帮助'), { signature: true }));
    expect(tampered.status).toBe(401);
    const old = await h.app.fetch(larkRequest(envelope(me, '帮助'), { timestampOffsetS: -301 }));
    expect(old.status).toBe(401);
    const future = await h.app.fetch(larkRequest(envelope(me, '帮助'), { timestampOffsetS: 301 }));
    expect(future.status).toBe(401);
    const wrongToken = await h.app.fetch(larkRequest(envelope(me, '帮助', 'not-the-token')));
    expect(wrongToken.status).toBe(401);
    const unsigned = await h.app.fetch(new Request('http://miaopu.test/lark/events', { method: 'POST', body: JSON.stringify(envelope(me, '帮助')) }));
    expect(unsigned.status).toBe(401);
    expect(await counts()).toEqual({ events: 0, messages: 0 });
    expect(h.log.lines.filter((l) => l.msg === 'Lark event refused')).toHaveLength(5);
    // The same request, untampered, goes through.
    expect((await h.app.fetch(larkRequest(envelope(me, '帮助')))).status).toBe(200);
    expect(await counts()).toEqual({ events: 1, messages: 1 });
  });

  it('with only a verification token, checks the envelope token', async () => {
    const h = larkHarness(t.db, { verificationToken: VERIFICATION_TOKEN });
    const me = demoOpenId(16);
    const post = (body: unknown) => h.app.fetch(new Request('http://miaopu.test/lark/events', { method: 'POST', body: JSON.stringify(body) }));
    expect((await post(envelope(me, '帮助', 'wrong'))).status).toBe(401);
    expect(await counts()).toEqual({ events: 0, messages: 0 });
    expect((await post(envelope(me, '帮助'))).status).toBe(200);
    expect(await counts()).toEqual({ events: 1, messages: 1 });
  });

  it('acts once on an event delivered five times', async () => {
    const h = larkHarness(t.db);
    const me = demoOpenId(17);
    const event = envelope(me, '帮助');
    for (let i = 0; i < 5; i++) expect((await h.pusher.push(event)).status).toBe(200);
    expect(await h.repliesTo(me)).toHaveLength(1);
    expect(await counts()).toEqual({ events: 1, messages: 1 });
  });

  it('re-delivers while the answer is not 200', async () => {
    const h = larkHarness(t.db);
    const wrongKey = h.makePusher({ encryptKey: 'not-the-key', retryDelaysMs: [5, 5, 5] });
    const result = await wrongKey.message(demoOpenId(18), '帮助');
    expect(result).toMatchObject({ status: 401, attempts: 4 });
    expect(await counts()).toEqual({ events: 0, messages: 0 });
  });

  it('answers a card click with a toast, and a refresh with the new card in place', async () => {
    const h = larkHarness(t.db);
    const me = demoOpenId(19);
    await h.pusher.message(me, '帮助');
    const [help] = await h.repliesTo(me);
    // What the outbox worker would do: send the card to Lark.
    const { messageId } = await h.api.sendMessage({ receiveId: me, msgType: 'interactive', content: help!.payload });
    const clicked = await h.pusher.cardAction(me, { messageId, value: { action: 'bot.todo' } });
    expect(clicked).toMatchObject({ status: 200, body: { toast: { type: 'info', content: '目前没有待办事项。' } } });
    const [, todo] = await h.repliesTo(me);
    expect(JSON.stringify(todo!.payload)).toContain('我的待办');

    const sent = await h.api.sendMessage({ receiveId: me, msgType: 'interactive', content: todo!.payload });
    h.pending.register('mentorship', async () => [{ feature: 'mentorship', title: '记录本月师徒交流', open: { action: 'mentorship.log' } }]);
    const refreshed = await h.pusher.cardAction(me, { messageId: sent.messageId, value: { action: 'bot.todo.refresh' } });
    expect(refreshed.body).toMatchObject({ toast: { type: 'success' }, card: { type: 'raw' } });
    expect(h.sandbox.state.messages.get(sent.messageId)!.content).toContain('记录本月师徒交流');
  });

  it('a card action that fails answers with an error toast at once', async () => {
    const h = larkHarness(t.db);
    h.bot.router.onCardAction('broken', async () => {
      throw new Error('boom');
    });
    const me = demoOpenId(20);
    const { messageId } = await h.api.sendMessage({ receiveId: me, msgType: 'text', content: { text: 'x' } });
    const result = await h.pusher.cardAction(me, { messageId, value: { action: 'broken' } });
    expect(result).toMatchObject({ status: 200, body: { toast: { type: 'error', content: '操作未成功，请稍后重试。' } } });
    // Nothing was kept, so the person can try again.
    expect(await counts()).toEqual({ events: 0, messages: 0 });
  });

  it('answers an unknown person politely and does nothing else', async () => {
    const h = larkHarness(t.db);
    h.sandbox.state.users.set('ou_stranger', { open_id: 'ou_stranger', name: '访客' });
    await h.pusher.message('ou_stranger', '待办');
    const replies = await h.repliesTo('ou_stranger');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.payload).toEqual({ text: expect.stringContaining('还没有登记') });
    expect(replies[0]!.payload).toEqual({ text: expect.stringContaining('区委组织部干部科') });
    expect(replies[0]!.cadreId).toBeNull();
  });

  it('in a group acts only when mentioned, and ignores its own messages', async () => {
    const h = larkHarness(t.db);
    const me = demoOpenId(21);
    h.sandbox.state.addGroup('oc_group1', '东山街道工作群', [me]);
    await h.pusher.message(me, '帮助', { chatId: 'oc_group1' });
    expect(await counts()).toEqual({ events: 0, messages: 0 });
    await h.pusher.message(me, '帮助', { chatId: 'oc_group1', mentionBot: true });
    const replies = await h.repliesTo('oc_group1');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.receiveIdType).toBe('chat_id');

    const own = envelope(h.sandbox.state.botOpenId, '帮助');
    own.event.sender.sender_type = 'app';
    expect((await h.pusher.push(own)).status).toBe(200);
    expect(await counts()).toEqual({ events: 1, messages: 1 });
  });

  it('refuses bodies over 1 MiB and malformed JSON, and logs unknown event types', async () => {
    const h = larkHarness(t.db, { verificationToken: VERIFICATION_TOKEN });
    const post = (body: string) => h.app.fetch(new Request('http://miaopu.test/lark/card', { method: 'POST', body }));
    expect((await post('x'.repeat(1024 * 1024 + 1))).status).toBe(413);
    expect((await post('{"schema":')).status).toBe(400);
    const other = envelope(demoOpenId(22), 'x');
    other.header.event_type = 'contact.user.updated_v3';
    expect((await post(JSON.stringify(other))).status).toBe(200);
    expect(h.log.lines.some((l) => l.msg === 'Lark event type not handled' && (l.obj as { eventType: string }).eventType === 'contact.user.updated_v3')).toBe(true);
    expect(await counts()).toEqual({ events: 0, messages: 0 });
  });
});
