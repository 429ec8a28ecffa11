import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startLongConnection, type LongConnection } from '../../bot/ws.ts';
import { demoOpenId, seedDemo } from '../../core/demo.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { startFakeLarkWs, type FakeLarkWs } from '../helpers/fake-lark-ws.ts';
import { larkHarness } from '../helpers/lark.ts';

let t: TestDatabase;
let gateway: FakeLarkWs;
let connection: LongConnection | undefined;
beforeAll(async () => {
  t = await testDatabase();
  await seedDemo(t.db);
  gateway = await startFakeLarkWs();
});
afterAll(async () => {
  connection?.close();
  await gateway.close();
  await t.drop();
});

const header = (type: string) => ({ event_id: randomBytes(16).toString('hex'), event_type: type, create_time: String(Date.now()), token: '', app_id: 'cli_a1b2c3d4e5f60718', tenant_key: 'x' });

describe('websocket mode', () => {
  it('receives events over the long connection, answers card callbacks, and reconnects when the connection drops', async () => {
    const h = larkHarness(t.db, {});
    connection = startLongConnection({ appId: 'cli_a1b2c3d4e5f60718', appSecret: 'secret', domain: gateway.domain, handle: h.bot.router.handle, log: h.log, pingTimeoutS: 5 });
    await gateway.waitForConnection(1);
    expect(gateway.endpointRequests[0]).toMatchObject({ AppID: 'cli_a1b2c3d4e5f60718' });

    const me = demoOpenId(40);
    const ack = await gateway.push({
      schema: '2.0',
      header: header('im.message.receive_v1'),
      event: { sender: { sender_id: { open_id: me }, sender_type: 'user' }, message: { message_id: 'om_ws1', chat_id: 'oc_ws', chat_type: 'p2p', message_type: 'text', content: JSON.stringify({ text: '帮助' }) } },
    });
    expect(ack.code).toBe(200);
    const replies = await h.repliesTo(me);
    expect(replies).toHaveLength(1);
    expect(JSON.stringify(replies[0]!.payload)).toContain('使用帮助');

    const click = await gateway.push({
      schema: '2.0',
      header: header('card.action.trigger'),
      event: { operator: { open_id: me }, token: 'c-x', action: { tag: 'button', value: { action: 'bot.todo' } }, context: { open_message_id: 'om_ws2' } },
    });
    expect(click).toEqual({ code: 200, data: { toast: { type: 'info', content: '目前没有待办事项。' } } });

    gateway.drop();
    await gateway.waitForConnection(2);
    expect(h.log.lines.some((l) => String(l.msg).includes('reconnecting'))).toBe(true);
    const again = await gateway.push({
      schema: '2.0',
      header: header('im.message.receive_v1'),
      event: { sender: { sender_id: { open_id: me }, sender_type: 'user' }, message: { message_id: 'om_ws3', chat_id: 'oc_ws', chat_type: 'p2p', message_type: 'text', content: JSON.stringify({ text: '待办' }) } },
    });
    expect(again.code).toBe(200);
    expect(await h.repliesTo(me)).toHaveLength(3);
  }, 30_000);
});
