import { describe, expect, it } from 'vitest';
import { createLarkApi, LarkError } from '../../bot/lark.ts';
import { createSandbox, demoDirectory, SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../../bot/sandbox/index.ts';
import { demoOpenId } from '../../core/demo.ts';

const DOMAIN = 'http://lark.sandbox.test/sandbox';

function setup(timeoutMs = 2000) {
  const sandbox = createSandbox();
  sandbox.state.setDirectory(demoDirectory());
  const api = createLarkApi({ appId: SANDBOX_APP_ID, appSecret: SANDBOX_APP_SECRET, domain: DOMAIN, fetch: sandbox.fetch, timeoutMs });
  return { sandbox, api };
}

const card = (title: string) => ({
  schema: '2.0',
  config: { update_multi: true },
  header: { title: { tag: 'plain_text', content: title } },
  body: { elements: [{ tag: 'markdown', content: '请填写' }] },
});

async function failure(promise: Promise<unknown>): Promise<LarkError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(LarkError);
  return error as LarkError;
}

describe('Lark client against the sandbox', () => {
  it('sends a message with the content as Lark stores it, and fetches one token for many calls at once', async () => {
    const { sandbox, api } = setup();
    const to = demoOpenId(1);
    const sent = await Promise.all(Array.from({ length: 10 }, (_, i) => api.sendMessage({ receiveId: to, msgType: 'text', content: { text: `第${i}条` } })));
    expect(new Set(sent.map((s) => s.messageId)).size).toBe(10);
    expect(sandbox.state.stats.tokenRequests).toBe(1);
    const inbox = sandbox.state.sentTo(to);
    expect(inbox).toHaveLength(10);
    expect(JSON.parse(inbox[0]!.content)).toEqual({ text: expect.stringMatching(/^第\d条$/) });
  });

  it('delivers at most once per uuid', async () => {
    const { sandbox, api } = setup();
    const to = demoOpenId(2);
    const a = await api.sendMessage({ receiveId: to, msgType: 'interactive', content: card('测评'), uuid: 'row-1' });
    const b = await api.sendMessage({ receiveId: to, msgType: 'interactive', content: card('测评'), uuid: 'row-1' });
    expect(b.messageId).toBe(a.messageId);
    expect(sandbox.state.sentTo(to)).toHaveLength(1);
  });

  it('drops a token Lark rejects and retries once', async () => {
    const { sandbox, api } = setup();
    await api.sendMessage({ receiveId: demoOpenId(3), msgType: 'text', content: { text: '一' } });
    sandbox.state.expireTokens();
    await api.sendMessage({ receiveId: demoOpenId(3), msgType: 'text', content: { text: '二' } });
    expect(sandbox.state.stats.tokenRequests).toBe(2);
    expect(sandbox.state.sentTo(demoOpenId(3))).toHaveLength(2);
  });

  it('gives up after one retry when the token keeps failing', async () => {
    const { sandbox, api } = setup();
    sandbox.state.inject({ path: '/open-apis/im/v1/messages', status: 400, code: 99991663, count: 2 });
    const error = await failure(api.sendMessage({ receiveId: demoOpenId(3), msgType: 'text', content: { text: 'x' } }));
    expect(error.code).toBe(99991663);
    expect(sandbox.state.stats.tokenRequests).toBe(2);
    expect(sandbox.state.sentTo(demoOpenId(3))).toHaveLength(0);
  });

  it('classifies rate limits with the wait Lark asked for, server errors and timeouts as transient', async () => {
    const { sandbox, api } = setup(300);
    const to = demoOpenId(4);
    sandbox.state.inject({ path: '/open-apis/im/v1/messages', status: 429, code: 99991400, headers: { 'x-ogw-ratelimit-reset': '3' } });
    const limited = await failure(api.sendMessage({ receiveId: to, msgType: 'text', content: { text: 'x' } }));
    expect(limited).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000, status: 429 });

    sandbox.state.inject({ path: '/open-apis/im/v1/messages', status: 503, code: 1, msg: 'upstream unavailable' });
    expect((await failure(api.sendMessage({ receiveId: to, msgType: 'text', content: { text: 'x' } }))).kind).toBe('transient');

    sandbox.state.faults.latencyMs = 600;
    const slow = await failure(api.sendMessage({ receiveId: to, msgType: 'text', content: { text: 'x' } }));
    expect(slow.kind).toBe('transient');
    expect(slow.message).toMatch(/no answer within 300 ms/);
  });

  it('calls an unknown recipient or one the bot is not visible to a permanent failure', async () => {
    const { sandbox, api } = setup();
    const unknown = await failure(api.sendMessage({ receiveId: 'ou_nobody', msgType: 'text', content: { text: 'x' } }));
    expect(unknown).toMatchObject({ kind: 'permanent', code: 230001 });
    sandbox.state.users.get(demoOpenId(5))!.visible = false;
    const hidden = await failure(api.sendMessage({ receiveId: demoOpenId(5), msgType: 'text', content: { text: 'x' } }));
    expect(hidden).toMatchObject({ kind: 'permanent', code: 230013 });
    const badCard = await failure(api.sendMessage({ receiveId: demoOpenId(6), msgType: 'interactive', content: { nonsense: true } }));
    expect(badCard).toMatchObject({ kind: 'permanent', code: 230099 });
  });

  it('per-chat frequency limit (230020) counts as a rate limit', async () => {
    const { sandbox, api } = setup();
    sandbox.state.enforceLimits();
    const to = demoOpenId(7);
    for (let i = 0; i < 5; i++) await api.sendMessage({ receiveId: to, msgType: 'text', content: { text: `${i}` } });
    const sixth = await failure(api.sendMessage({ receiveId: to, msgType: 'text', content: { text: '6' } }));
    expect(sixth).toMatchObject({ kind: 'rate_limited', code: 230020 });
  });

  it('updates a card, urges its reader, and sends one card to many people', async () => {
    const { sandbox, api } = setup();
    const to = demoOpenId(8);
    const { messageId } = await api.sendMessage({ receiveId: to, msgType: 'interactive', content: card('待提交') });
    await api.patchMessage(messageId, card('已提交 ✓'));
    const stored = sandbox.state.messages.get(messageId)!;
    expect(JSON.parse(stored.content).header.title.content).toBe('已提交 ✓');
    expect(stored.updated).toBe(true);
    expect(await api.urgentApp(messageId, [to])).toEqual({ invalidOpenIds: [] });

    const batch = await api.batchSend({ openIds: [demoOpenId(9), demoOpenId(10), 'ou_gone'], msgType: 'interactive', content: card('提醒') });
    expect(batch.messageId).toMatch(/^bm-/);
    expect(batch.invalidOpenIds).toEqual(['ou_gone']);
    expect(sandbox.state.sentTo(demoOpenId(9))).toHaveLength(1);
    const batchMessage = sandbox.state.sentTo(demoOpenId(10))[0]!;
    const cannotPatch = await failure(api.patchMessage(batchMessage.message_id, card('x')));
    expect(cannotPatch.kind).toBe('permanent');
  });

  it('pages through the directory', async () => {
    const { sandbox, api } = setup();
    const top = await api.departmentChildren('0');
    expect(top.items.map((d) => d.name)).toContain('东山街道');
    expect(top.hasMore).toBe(false);
    const dongshan = top.items.find((d) => d.name === '东山街道')!;
    const first = await api.usersInDepartment(dongshan.department_id);
    expect(first.items).toHaveLength(demoDirectory().users.filter((u) => u.department_ids!.includes(dongshan.department_id)).length);
    expect(first.hasMore).toBe(false);
    expect(first.items[0]).toMatchObject({ open_id: expect.stringMatching(/^ou_/), mobile: expect.stringMatching(/^\+86139/) });
    // A department larger than a page comes in pages of at most 50.
    sandbox.state.setDirectory({
      departments: [{ department_id: 'big', name: '大单位', parent_department_id: '0' }],
      users: Array.from({ length: 120 }, (_, i) => ({ open_id: `ou_big${i}`, name: `人${i}`, department_ids: ['big'] })),
    });
    const pages = [await api.usersInDepartment('big')];
    while (pages.at(-1)!.hasMore) pages.push(await api.usersInDepartment('big', pages.at(-1)!.pageToken));
    expect(pages.map((p) => p.items.length)).toEqual([50, 50, 20]);
    expect(new Set(pages.flatMap((p) => p.items.map((u) => u.open_id))).size).toBe(120);
    const bot = await api.botOpenId();
    expect(bot).toMatch(/^ou_/);
  });
});
