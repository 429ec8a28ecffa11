import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono, type MiddlewareHandler } from 'hono';
import { createSimulator, type Act } from '../../bot/sandbox/simulator.tsx';
import { demoOpenId, seedDemo } from '../../core/demo.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { larkHarness } from '../helpers/lark.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await testDatabase();
  await seedDemo(t.db);
});
afterAll(() => t.drop());

const formCard = {
  schema: '2.0',
  config: { update_multi: true },
  header: { title: { tag: 'plain_text', content: '师徒交流记录' }, template: 'turquoise' },
  body: {
    elements: [
      { tag: 'markdown', content: '请填写**本月**交流情况' },
      {
        tag: 'form',
        name: 'log',
        elements: [
          { tag: 'input', name: 'topic', placeholder: { tag: 'plain_text', content: '交流主题' } },
          { tag: 'select_static', name: 'mode', options: [{ text: { tag: 'plain_text', content: '面谈' }, value: 'face' }, { text: { tag: 'plain_text', content: '电话' }, value: 'phone' }] },
          { tag: 'button', name: 'submit', text: { tag: 'plain_text', content: '提交' }, type: 'primary_filled', form_action_type: 'submit', behaviors: [{ type: 'callback', value: { action: 'test.log' } }] },
        ],
      },
    ],
  },
};

function simulator(guard?: MiddlewareHandler) {
  const acts: Act[] = [];
  const h = larkHarness(t.db);
  const seen: Array<Record<string, unknown> | undefined> = [];
  h.bot.router.onCardAction('test.log', async (action) => {
    seen.push(action.formValue);
    return { toast: { type: 'success', content: '已记录' }, card: { type: 'raw', data: { ...formCard, header: { title: { tag: 'plain_text', content: '已提交 ✓' } }, body: { elements: [] } } } };
  });
  const app = new Hono().route('/sandbox/chat', createSimulator({ state: h.sandbox.state, pusher: h.pusher, guard: guard ?? (async (_c, next) => next()), onActAs: async (_c, act) => void acts.push(act) }));
  return { ...h, app, seen, acts };
}

describe('chat simulator', () => {
  it('shows the conversation with the card rendered, and sends what the person types as a real event', async () => {
    const s = simulator();
    const me = demoOpenId(30);
    const page = await s.app.request(`/sandbox/chat/u/${me}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('还没有消息');

    const sent = await s.app.request(`/sandbox/chat/u/${me}/send`, { method: 'POST', body: new URLSearchParams({ text: '帮助' }) });
    expect(sent.status).toBe(303);
    const replies = await s.repliesTo(me);
    expect(replies).toHaveLength(1);
    await s.api.sendMessage({ receiveId: me, msgType: 'interactive', content: replies[0]!.payload });
    const html = await (await s.app.request(`/sandbox/chat/u/${me}/messages`)).text();
    expect(html).toContain('帮助');
    expect(html).toContain('苗圃 · 使用帮助');
    expect(html).toContain('<strong>可用指令</strong>');
    expect(html).toContain('查看我的待办');
    // One act per message sent; opening and polling the conversation are not acts.
    expect(s.acts).toEqual([{ openId: me, kind: 'message' }]);
  });

  it('submits a form card with its values and shows the toast and the updated card', async () => {
    const s = simulator();
    const me = demoOpenId(31);
    const { messageId } = await s.api.sendMessage({ receiveId: me, msgType: 'interactive', content: formCard });
    const html = await (await s.app.request(`/sandbox/chat/u/${me}/messages`)).text();
    expect(html).toMatch(/<input type="text" name="topic"/);
    expect(html).toMatch(/<select name="mode"/);
    const payload = /name="__action" value="([^"]+)"/.exec(html)![1]!.replace(/&quot;/g, '"');

    const res = await s.app.request(`/sandbox/chat/u/${me}/action`, {
      method: 'POST',
      body: new URLSearchParams({ __message: messageId, __form: 'log', __action: payload, topic: '如何写好调研报告', mode: 'face' }),
    });
    expect(res.status).toBe(303);
    expect(decodeURIComponent(res.headers.get('location')!)).toContain('toast=已记录');
    expect(s.seen).toEqual([{ topic: '如何写好调研报告', mode: 'face' }]);
    const after = await (await s.app.request(`/sandbox/chat/u/${me}/messages`)).text();
    expect(after).toContain('已提交 ✓');
    expect(after).toContain('已更新');
    // The action's name is recorded, never what was typed into the form.
    expect(s.acts).toEqual([{ openId: me, kind: 'card_action', action: 'test.log' }]);
  });

  it('works under the panel’s Content-Security-Policy: no inline script, no style attribute', async () => {
    const s = simulator();
    const me = demoOpenId(31);
    await s.app.request(`/sandbox/chat/u/${me}/send`, { method: 'POST', body: new URLSearchParams({ text: '帮助' }) });
    const replies = await s.repliesTo(me);
    await s.api.sendMessage({ receiveId: me, msgType: 'interactive', content: replies[0]!.payload });
    const html = await (await s.app.request(`/sandbox/chat/u/${me}`)).text();
    expect(html).toContain('苗圃 · 使用帮助');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=/);
    const script = await s.app.request('/sandbox/chat/simulator.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
  });

  it('is behind the guard it is given', async () => {
    const s = simulator(async (c) => c.text('请先登录', 401));
    const res = await s.app.request(`/sandbox/chat/u/${demoOpenId(32)}`);
    expect(res.status).toBe(401);
    expect(s.sandbox.state.messages.size).toBe(0);
  });
});
