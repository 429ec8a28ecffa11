/**
 * @module
 * The chat simulator: act as any person in the sandbox directory, see the conversation with
 * the bot (text and Card JSON 2.0), type messages and click or submit cards. Everything the
 * person does becomes a real, encrypted and signed event to `/lark/events`.
 *
 * Mount under `/sandbox/chat`; `guard` decides who may use it (main.ts: district admins) and
 * `onActAs` records every message and card action sent in a person's name (the audit log).
 */
import { readFileSync } from 'node:fs';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { CardView } from './card-view.tsx';
import type { EventPusher } from './pusher.ts';
import type { SandboxMessage, SandboxState } from './state.ts';

const CSS = readFileSync(new URL('./simulator.css', import.meta.url), 'utf8');

// Reloads the conversation while nobody is typing (see simulator.js); a file of its own because
// the panel's Content-Security-Policy allows no inline script.
const SCRIPT = readFileSync(new URL('./simulator.js', import.meta.url), 'utf8');

/** One act in a person's name: a message sent, or a card button clicked or form submitted. */
export interface Act {
  openId: string;
  kind: 'message' | 'card_action';
  /** For card actions: the action's name (`value.action`), never the form's values. */
  action?: string;
}

/** Called once per act, before it is delivered; if it throws, nothing is sent. */
export type ActAs = (c: Context, act: Act) => Promise<void>;

export interface SimulatorDeps {
  state: SandboxState;
  pusher: EventPusher;
  guard: MiddlewareHandler;
  onActAs: ActAs;
  /** Where the simulator is mounted, for links and form actions. */
  basePath?: string;
}

function initials(name: string): string {
  return name.slice(-2);
}

function Message({ m, state, base, openId }: { m: SandboxMessage; state: SandboxState; base: string; openId: string }) {
  const mine = m.sender.type === 'user';
  const name = mine ? (state.users.get(m.sender.id)?.name ?? m.sender.id) : state.botName;
  let content: any;
  try {
    content = JSON.parse(m.content);
  } catch {
    content = { text: m.content };
  }
  const time = new Date(m.create_time).toLocaleTimeString('zh-CN', { hour12: false });
  return (
    <div class={`msg${mine ? ' mine' : ''}`} data-message-id={m.message_id}>
      <div class="avatar">{initials(name)}</div>
      <div>
        {m.msg_type === 'interactive' ? (
          <CardView card={content} action={`${base}/u/${openId}/action`} messageId={m.message_id} />
        ) : (
          <div class="bubble">{String(content.text ?? m.content).replace(/<at [^>]*>(.*?)<\/at>/g, '@$1').replace(/@_user_\d+\s?/g, `@${state.botName} `)}</div>
        )}
        <div class="meta">
          {name} · {time}
          {m.updated ? <span class="updated"> · 已更新</span> : null}
          {m.urgent_to.length > 0 ? <span class="updated"> · 加急</span> : null}
        </div>
      </div>
    </div>
  );
}

function Messages({ state, openId, base }: { state: SandboxState; openId: string; base: string }) {
  const conversation = state.conversation(openId);
  if (conversation.length === 0) return <div class="empty">还没有消息。发送“帮助”试试。</div>;
  return (
    <>
      {conversation.map((m) => (
        <Message m={m} state={state} base={base} openId={openId} />
      ))}
    </>
  );
}

function Page(props: { state: SandboxState; base: string; q: string; openId?: string; toast?: { type: string; content: string } }) {
  const { state, base, q, openId } = props;
  const people = [...state.users.values()].filter((u) => !q || u.name.includes(q));
  const byDept = new Map<string, typeof people>();
  for (const u of people) {
    const deptId = u.department_ids?.[0] ?? '0';
    const dept = state.departments.get(deptId)?.name ?? (deptId === '0' ? state.tenantName : '其他');
    byDept.set(dept, [...(byDept.get(dept) ?? []), u]);
  }
  const me = openId ? state.users.get(openId) : undefined;
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>飞书沙箱 · 对话模拟器</title>
        <link rel="stylesheet" href={`${base}/simulator.css`} />
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        <header class="top">
          <strong>飞书沙箱 · 对话模拟器</strong>
          <small>以任一干部的身份与机器人“{state.botName}”对话；所有操作都会作为真实事件发送到 /lark/events。</small>
          <a class="back" href="/">返回管理面板</a>
        </header>
        <main>
          <nav class={me ? 'people chatting' : 'people'}>
            <form method="get" action={base}>
              <input type="search" name="q" value={q} placeholder="按姓名查找" />
            </form>
            {[...byDept.entries()].map(([dept, users]) => (
              <>
                <h3>{dept}</h3>
                {users.slice(0, 60).map((u) => (
                  <a href={`${base}/u/${u.open_id}${q ? `?q=${encodeURIComponent(q)}` : ''}`} class={u.open_id === openId ? 'active' : ''}>
                    {u.name}
                  </a>
                ))}
              </>
            ))}
          </nav>
          <section class="chat">
            {me ? (
              <>
                <div class="chat-title">{me.name} 与 {state.botName} 的对话</div>
                {props.toast ? <div class={`toast ${props.toast.type}`} role="status">{props.toast.content}</div> : null}
                <div class="messages" id="messages" data-src={`${base}/u/${me.open_id}/messages`}>
                  <Messages state={state} openId={me.open_id} base={base} />
                </div>
                <form class="compose" method="post" action={`${base}/u/${me.open_id}/send`}>
                  <input type="text" name="text" placeholder="输入消息，例如：帮助、待办" autocomplete="off" autofocus required maxlength={2000} />
                  <button class="btn btn-primary" type="submit">发送</button>
                </form>
                <script src={`${base}/simulator.js`} defer />
              </>
            ) : (
              <div class="empty">在左侧选择一位干部，开始对话。</div>
            )}
          </section>
        </main>
      </body>
    </html>
  );
}

export function createSimulator(deps: SimulatorDeps): Hono {
  const { state, pusher } = deps;
  const base = deps.basePath ?? '/sandbox/chat';
  const app = new Hono();
  app.use('*', deps.guard);

  app.get('/simulator.css', (c) => c.body(CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=300' }));

  app.get('/simulator.js', (c) => c.body(SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=300' }));

  app.get('/', (c) => c.html(<Page state={state} base={base} q={c.req.query('q') ?? ''} />));

  app.get('/u/:openId', (c) => {
    const openId = c.req.param('openId');
    if (!state.users.has(openId)) return c.html(<Page state={state} base={base} q="" toast={{ type: 'error', content: '通讯录中没有这个人。' }} />, 404);
    const toast = c.req.query('toast');
    return c.html(
      <Page state={state} base={base} q={c.req.query('q') ?? ''} openId={openId} toast={toast ? { type: c.req.query('toastType') ?? 'info', content: toast } : undefined} />,
    );
  });

  app.get('/u/:openId/messages', (c) => c.html(<Messages state={state} openId={c.req.param('openId')} base={base} />));

  const back = (openId: string, toast?: { type?: string; content?: string }) =>
    `${base}/u/${openId}${toast?.content ? `?toast=${encodeURIComponent(toast.content)}&toastType=${encodeURIComponent(toast.type ?? 'info')}` : ''}`;

  app.post('/u/:openId/send', async (c) => {
    const openId = c.req.param('openId');
    const form = await c.req.parseBody();
    const text = String(form.text ?? '').trim();
    if (!state.users.has(openId)) return c.text('通讯录中没有这个人。', 404);
    if (!text) return c.redirect(back(openId, { type: 'warning', content: '请输入消息内容。' }), 303);
    await deps.onActAs(c, { openId, kind: 'message' });
    const result = await pusher.message(openId, text);
    if (result.status !== 200) return c.redirect(back(openId, { type: 'error', content: `机器人没有接收这条消息（HTTP ${result.status}）。` }), 303);
    return c.redirect(back(openId), 303);
  });

  app.post('/u/:openId/action', async (c) => {
    const openId = c.req.param('openId');
    if (!state.users.has(openId)) return c.text('通讯录中没有这个人。', 404);
    const form = await c.req.parseBody();
    const messageId = String(form.__message ?? '');
    let action: { value?: Record<string, unknown>; name?: string; tag?: string } = {};
    try {
      action = JSON.parse(String(form.__action ?? '{}'));
    } catch {
      return c.redirect(back(openId, { type: 'error', content: '无法识别的操作。' }), 303);
    }
    if (!state.messages.has(messageId)) return c.redirect(back(openId, { type: 'error', content: '这条消息已不存在。' }), 303);
    const formValue = form.__form
      ? Object.fromEntries(Object.entries(form).filter(([k]) => !k.startsWith('__')).map(([k, v]) => [k, String(v)]))
      : undefined;
    await deps.onActAs(c, { openId, kind: 'card_action', ...(typeof action.value?.action === 'string' ? { action: action.value.action.slice(0, 100) } : {}) });
    const result = await pusher.cardAction(openId, {
      messageId,
      value: action.value ?? {},
      name: action.name,
      tag: action.tag,
      formValue,
      option: form.__option !== undefined ? String(form.__option) : undefined,
      inputValue: form.__input !== undefined ? String(form.__input) : undefined,
    });
    if (result.status !== 200) return c.redirect(back(openId, { type: 'error', content: `卡片回调失败（HTTP ${result.status}）。` }), 303);
    return c.redirect(back(openId, result.body?.toast), 303);
  });

  return app;
}
