/**
 * @module
 * The Lark Open Platform API subset Miaopu uses, with Lark's paths, JSON shapes and error codes.
 * The real SDK `Client` talks to it through its `domain`.
 */
import { Hono, type Context } from 'hono';
import { hex, p2pChatId, type SandboxState } from './state.ts';

type Json = Record<string, unknown>;

/** Lark's error body: HTTP status plus `{code, msg}`. */
function fail(c: Context, status: number, code: number, msg: string, headers?: Record<string, string>) {
  for (const [k, v] of Object.entries(headers ?? {})) c.header(k, v);
  return c.json({ code, msg, error: { log_id: hex(8) } }, status as 400);
}

async function jsonBody(c: Context): Promise<Json | undefined> {
  try {
    const body = await c.req.json();
    return body && typeof body === 'object' ? (body as Json) : undefined;
  } catch {
    return undefined;
  }
}

const PAGE_SIZE_MAX = 50;

function page<T>(items: T[], pageToken: string | undefined, pageSize: number) {
  const start = pageToken ? Number(Buffer.from(pageToken, 'base64url').toString()) || 0 : 0;
  const size = Math.min(Math.max(pageSize || 20, 1), PAGE_SIZE_MAX);
  const slice = items.slice(start, start + size);
  const hasMore = start + size < items.length;
  return { items: slice, has_more: hasMore, ...(hasMore ? { page_token: Buffer.from(String(start + size)).toString('base64url') } : {}) };
}

/** Is this card allowed to be updated? Card JSON 2.0 always is; 1.0 needs config.update_multi. */
function updatable(content: string): boolean {
  try {
    const card = JSON.parse(content) as { schema?: string; config?: { update_multi?: boolean } };
    return card.schema === '2.0' || card.config?.update_multi === true;
  } catch {
    return false;
  }
}

export function sandboxApi(state: SandboxState): Hono {
  const api = new Hono();

  // Latency and injected faults apply to every path, the token endpoint included.
  api.use('*', async (c, next) => {
    if (state.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, state.faults.latencyMs));
    const path = c.req.path.replace(/^.*?(\/open-apis\/)/, '$1');
    const fault = state.takeFault(path);
    if (fault) return fail(c, fault.status, fault.code, fault.msg ?? 'injected fault', fault.headers);
    await next();
  });

  api.post('/open-apis/auth/v3/tenant_access_token/internal', async (c) => {
    state.stats.tokenRequests++;
    const body = await jsonBody(c);
    if (body?.app_id !== state.appId) return fail(c, 400, 10003, 'invalid param: app_id');
    if (body?.app_secret !== state.appSecret) return fail(c, 400, 10014, 'app secret invalid');
    const t = state.now();
    // Like Lark: the same token again while more than 30 minutes remain.
    for (const [value, { expiresAt }] of state.tokens) {
      if (expiresAt - t > 30 * 60_000) return c.json({ code: 0, msg: 'ok', tenant_access_token: value, expire: Math.floor((expiresAt - t) / 1000) });
    }
    const value = `t-${hex(20)}`;
    state.tokens.set(value, { expiresAt: t + state.tokenTtlSeconds * 1000 });
    return c.json({ code: 0, msg: 'ok', tenant_access_token: value, expire: state.tokenTtlSeconds });
  });

  // Everything else needs a valid tenant token.
  api.use('/open-apis/*', async (c, next) => {
    if (c.req.path.includes('/auth/v3/')) return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match) return fail(c, 400, 99991661, 'Missing access token for authorization. Please make a request with token attached.');
    const token = state.tokens.get(match[1]!);
    if (!token || token.expiresAt <= state.now()) return fail(c, 400, 99991663, 'Invalid access token for authorization. Please make a request with token attached.');
    await next();
  });

  api.get('/open-apis/bot/v3/info', (c) =>
    c.json({ code: 0, msg: 'ok', bot: { activate_status: 2, app_name: state.botName, avatar_url: '', ip_white_list: [], open_id: state.botOpenId } }),
  );

  api.post('/open-apis/im/v1/messages', async (c) => {
    const idType = c.req.query('receive_id_type');
    if (!idType || !['open_id', 'chat_id', 'user_id', 'union_id', 'email'].includes(idType))
      return fail(c, 400, 99992402, 'field validation failed: receive_id_type');
    const body = await jsonBody(c);
    if (!body) return fail(c, 400, 9499, 'Bad Request');
    const { receive_id: receiveId, msg_type: msgType, content, uuid } = body as Record<string, string | undefined>;
    if (typeof receiveId !== 'string' || typeof msgType !== 'string' || typeof content !== 'string')
      return fail(c, 400, 99992402, 'field validation failed: receive_id, msg_type and content are required; content must be a JSON string');
    if (uuid !== undefined && (typeof uuid !== 'string' || uuid.length > 50)) return fail(c, 400, 99992402, 'field validation failed: uuid');
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      return fail(c, 400, 230001, 'Your request contains an invalid request parameter, ext=invalid content');
    }
    if (msgType === 'interactive' && content.length > 30 * 1024) return fail(c, 400, 230025, 'The length of the message content reaches its limit.');
    if (msgType === 'text' && typeof (parsed as { text?: unknown }).text !== 'string')
      return fail(c, 400, 230001, 'Your request contains an invalid request parameter, ext=invalid text content');
    if (msgType === 'interactive' && !(parsed as { body?: unknown; elements?: unknown; type?: string }).body && !(parsed as { elements?: unknown }).elements && (parsed as { type?: string }).type !== 'template')
      return fail(c, 400, 230099, 'Failed to create card content, ext=ErrCode: 200621; ErrMsg: parse card json err');

    // Who is it for?
    let chatId: string;
    let openId: string | undefined;
    let chatType: 'p2p' | 'group' = 'p2p';
    if (idType === 'chat_id') {
      const p2pOwner = [...state.users.values()].find((u) => p2pChatId(u.open_id) === receiveId);
      if (p2pOwner) {
        chatId = receiveId;
        openId = p2pOwner.open_id;
      } else if (state.groups.has(receiveId)) {
        chatId = receiveId;
        chatType = 'group';
      } else return fail(c, 400, 230001, 'Your request contains an invalid request parameter, ext=invalid receive_id');
    } else {
      const user =
        idType === 'open_id'
          ? state.users.get(receiveId)
          : [...state.users.values()].find((u) => (idType === 'user_id' ? u.user_id : idType === 'union_id' ? u.union_id : undefined) === receiveId);
      if (!user) return fail(c, 400, 230001, 'Your request contains an invalid request parameter, ext=invalid receive_id');
      if (user.visible === false) return fail(c, 400, 230013, 'Bot has NO availability to this user.');
      openId = user.open_id;
      chatId = p2pChatId(user.open_id);
    }

    // uuid: at most one message per key within an hour; a repeat returns the first message.
    const t = state.now();
    if (uuid) {
      const seen = state.uuids.get(uuid);
      if (seen && t - seen.at < 3_600_000) {
        const first = state.messages.get(seen.messageId);
        if (first) {
          state.stats.duplicateUuids++;
          return c.json({ code: 0, msg: 'success', data: messageData(first) });
        }
      }
    }
    const refused = state.admitSend(chatId);
    if (refused) {
      state.stats.rateLimited++;
      if (refused.reason === 'recipient') return fail(c, 400, 230020, 'The request you send is too frequent, please reduce the frequency.');
      return fail(c, 429, 99991400, 'request trigger frequency limit', {
        'x-ogw-ratelimit-limit': String(state.faults.limits?.perSecond ?? 50),
        'x-ogw-ratelimit-reset': String(refused.resetSeconds),
      });
    }
    const message = state.newMessage({ chat_id: chatId, chat_type: chatType, open_id: openId, sender: { type: 'app', id: state.appId }, msg_type: msgType, content, uuid });
    if (uuid) state.uuids.set(uuid, { messageId: message.message_id, at: t });
    return c.json({ code: 0, msg: 'success', data: messageData(message) });
  });

  api.patch('/open-apis/im/v1/messages/:id', async (c) => {
    const message = state.messages.get(c.req.param('id'));
    if (!message) return fail(c, 400, 230001, 'Your request contains an invalid request parameter, ext=message not found');
    if (message.sender.type !== 'app' || message.sender.id !== state.appId) return fail(c, 400, 230027, 'Lack of necessary permissions, ext=only the sending app may update');
    if (message.batch_id) return fail(c, 400, 230001, 'Your request contains an invalid request parameter, ext=batch messages cannot be updated');
    if (message.msg_type !== 'interactive') return fail(c, 400, 230001, 'Your request contains an invalid request parameter, ext=only cards can be updated');
    if (state.now() - message.create_time > 14 * 86_400_000) return fail(c, 400, 230031, 'The message is too old to be updated.');
    const body = await jsonBody(c);
    const content = body?.content;
    if (typeof content !== 'string') return fail(c, 400, 99992402, 'field validation failed: content must be a JSON string');
    if (!updatable(message.content) || !updatable(content)) return fail(c, 400, 230001, 'Your request contains an invalid request parameter, ext=card is not shared (update_multi)');
    message.content = content;
    message.updated = true;
    message.update_time = state.now();
    return c.json({ code: 0, msg: 'success', data: {} });
  });

  api.patch('/open-apis/im/v1/messages/:id/urgent_app', async (c) => {
    const message = state.messages.get(c.req.param('id'));
    if (!message || message.sender.id !== state.appId) return fail(c, 400, 230001, 'Your request contains an invalid request parameter, ext=message not found');
    if (message.batch_id) return fail(c, 400, 230001, 'Your request contains an invalid request parameter, ext=batch messages cannot be urgent');
    const body = await jsonBody(c);
    const ids = Array.isArray(body?.user_id_list) ? (body!.user_id_list as unknown[]).map(String) : [];
    if (ids.length === 0) return fail(c, 400, 99992402, 'field validation failed: user_id_list');
    const invalid = ids.filter((id) => !state.users.has(id) || (message.open_id !== undefined && message.open_id !== id));
    message.urgent_to.push(...ids.filter((id) => !invalid.includes(id)));
    return c.json({ code: 0, msg: 'success', data: { invalid_user_id_list: invalid } });
  });

  api.post('/open-apis/message/v4/batch_send/', async (c) => {
    const body = await jsonBody(c);
    if (!body || typeof body.msg_type !== 'string') return c.json({ code: 10003, msg: 'invalid param: msg_type' });
    const openIds = Array.isArray(body.open_ids) ? (body.open_ids as unknown[]).map(String) : [];
    if (openIds.length === 0 || openIds.length > 200) return c.json({ code: 10003, msg: 'invalid param: open_ids (1 to 200)' });
    const content = body.msg_type === 'interactive' ? body.card : body.content;
    if (!content || typeof content !== 'object') return c.json({ code: 10003, msg: 'invalid param: card/content must be an object' });
    const batchId = `bm-${hex(16)}`;
    const invalid: string[] = [];
    for (const openId of openIds) {
      const user = state.users.get(openId);
      if (!user || user.visible === false) {
        invalid.push(openId);
        continue;
      }
      state.newMessage({ chat_id: p2pChatId(openId), chat_type: 'p2p', open_id: openId, sender: { type: 'app', id: state.appId }, msg_type: body.msg_type, content: JSON.stringify(content), batch_id: batchId });
    }
    return c.json({ code: 0, msg: 'ok', data: { message_id: batchId, invalid_department_ids: [], invalid_open_ids: invalid, invalid_user_ids: [], invalid_union_ids: [] } });
  });

  api.post('/open-apis/interactive/v1/card/update', async (c) => {
    const body = await jsonBody(c);
    const token = typeof body?.token === 'string' ? state.cardTokens.get(body.token) : undefined;
    if (!token || token.expiresAt <= state.now() || token.uses >= 2) return c.json({ code: 200740, msg: 'token is invalid or expired' });
    const message = state.messages.get(token.messageId);
    if (!message || !body?.card || typeof body.card !== 'object') return c.json({ code: 200621, msg: 'parse card json err' });
    token.uses++;
    message.content = JSON.stringify(body.card);
    message.updated = true;
    message.update_time = state.now();
    return c.json({ code: 0, msg: 'ok' });
  });

  // The attendance API's approved leave and trips, one entry per user and day as Lark answers.
  api.post('/open-apis/attendance/v1/user_approvals/query', async (c) => {
    if (!state.attendanceScope) return fail(c, 400, 99991672, 'Access denied. One of the following scopes is required: [attendance:task:readonly]');
    if (c.req.query('employee_type') !== 'employee_id') return fail(c, 400, 1220001, 'param is invalid: employee_type');
    const body = await jsonBody(c);
    const ids = Array.isArray(body?.user_ids) ? (body!.user_ids as unknown[]).map(String) : [];
    const from = Number(body?.check_date_from);
    const to = Number(body?.check_date_to);
    if (ids.length === 0 || ids.length > 50 || !Number.isInteger(from) || !Number.isInteger(to) || from > to) return fail(c, 400, 1220001, 'param is invalid');
    const dayOf = (t: string) => Number(t.slice(0, 10).replaceAll('-', ''));
    const out: Json[] = [];
    for (const userId of ids) {
      const byDay = new Map<number, { leaves: Json[]; trips: Json[] }>();
      for (const a of state.approvals.get(userId) ?? []) {
        const first = Math.max(dayOf(a.start_time), from);
        const last = Math.min(dayOf(a.end_time), to);
        if (first > last) continue;
        const entry = byDay.get(first) ?? { leaves: [], trips: [] };
        const item = { uniq_id: a.uniq_id, approval_id: a.uniq_id, unit: 1, interval: 0, start_time: a.start_time, end_time: a.end_time, i18n_names: { ch: a.kind === 'leave' ? '事假' : '出差' }, default_locale: 'ch', reason: a.reason ?? '' };
        (a.kind === 'leave' ? entry.leaves : entry.trips).push(item);
        byDay.set(first, entry);
      }
      for (const [date, entry] of byDay) out.push({ user_id: userId, date: String(date), ...entry });
    }
    return c.json({ code: 0, msg: 'success', data: { user_approvals: out } });
  });

  api.get('/open-apis/contact/v3/departments/:id/children', (c) => {
    const id = c.req.param('id');
    if (id !== '0' && !state.departments.has(id)) return fail(c, 400, 40004, 'no dept authority error');
    const children = [...state.departments.values()]
      .filter((d) => (d.parent_department_id ?? '0') === id)
      .sort((a, b) => Number(a.order ?? 0) - Number(b.order ?? 0));
    return c.json({ code: 0, msg: 'success', data: page(children, c.req.query('page_token'), Number(c.req.query('page_size'))) });
  });

  api.get('/open-apis/contact/v3/users/find_by_department', (c) => {
    const id = c.req.query('department_id') ?? '';
    if (id !== '0' && !state.departments.has(id)) return fail(c, 400, 40004, 'no dept authority error');
    const members = [...state.users.values()]
      .filter((u) => (u.department_ids ?? ['0']).includes(id))
      .map(({ visible: _visible, ...user }) => user);
    return c.json({ code: 0, msg: 'success', data: page(members, c.req.query('page_token'), Number(c.req.query('page_size'))) });
  });

  api.notFound((c) => fail(c, 404, 404, `404 page not found: ${c.req.method} ${c.req.path}`));
  return api;
}

function messageData(m: { message_id: string; chat_id: string; msg_type: string; create_time: number; update_time: number; updated: boolean; content: string }) {
  return {
    message_id: m.message_id,
    root_id: '',
    parent_id: '',
    msg_type: m.msg_type,
    create_time: String(m.create_time),
    update_time: String(m.update_time),
    deleted: false,
    updated: m.updated,
    chat_id: m.chat_id,
    sender: { id: '', id_type: 'app_id', sender_type: 'app', tenant_key: 'sandbox' },
    body: { content: m.content },
  };
}
