/**
 * @module
 * The sandbox's event pusher: posts events and card callbacks to Miaopu's receiver as Lark
 * does — compact JSON, encrypted and signed when an encrypt key is set, with the real headers —
 * and delivers again on a short schedule while the answer is not 200 (Lark retries after
 * 15 s, 5 min, 1 h, 6 h; the sandbox compresses that).
 */
import { randomBytes } from 'node:crypto';
import type { Fetch } from '../http.ts';
import { encrypt, signature } from '../crypto.ts';
import { hex, p2pChatId, type SandboxState } from './state.ts';

export interface PushResult {
  status: number;
  body: any;
  attempts: number;
  eventId: string;
}

export interface PusherOptions {
  state: SandboxState;
  /** Delivers the request: global fetch, or an app's fetch in-process. */
  deliver: Fetch;
  /** e.g. http://127.0.0.1:3000/lark/events */
  url: string;
  encryptKey?: string;
  verificationToken?: string;
  /** Waits between deliveries of one event while it is not answered 200. */
  retryDelaysMs?: number[];
  /** Lark gives the receiver 3 s. */
  timeoutMs?: number;
  now?: () => number;
}

export interface EventPusher {
  /** A person writes to the bot (p2p by default; in a group, `mentionBot` adds the @). */
  message(fromOpenId: string, text: string, options?: { chatId?: string; mentionBot?: boolean }): Promise<PushResult>;
  /** A person clicks a button or submits a form on a card the bot sent. */
  cardAction(
    operatorOpenId: string,
    input: { messageId: string; value: Record<string, unknown>; formValue?: Record<string, unknown>; name?: string; tag?: string; option?: string; inputValue?: string },
  ): Promise<PushResult>;
  /** Any envelope, delivered (and re-delivered) as is; an `event_id` is added when absent. */
  push(envelope: Record<string, any>): Promise<PushResult>;
  /** The URL check Lark makes when the callback address is saved. */
  challenge(challenge: string): Promise<PushResult>;
}

export function createEventPusher(options: PusherOptions): EventPusher {
  const { state } = options;
  const now = options.now ?? Date.now;
  const delays = options.retryDelaysMs ?? [200, 1000, 3000];

  function header(eventType: string) {
    return {
      event_id: hex(16),
      event_type: eventType,
      create_time: String(now()),
      token: options.verificationToken ?? '',
      app_id: state.appId,
      tenant_key: 'sandbox',
    };
  }

  async function deliverOnce(envelope: unknown): Promise<{ status: number; body: any }> {
    const plain = JSON.stringify(envelope);
    const body = options.encryptKey ? JSON.stringify({ encrypt: encrypt(options.encryptKey, plain) }) : plain;
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Lark-Sandbox' };
    const isChallenge = (envelope as { type?: string }).type === 'url_verification';
    if (options.encryptKey && !isChallenge) {
      const timestamp = String(Math.floor(now() / 1000));
      const nonce = randomBytes(8).toString('hex');
      headers['x-lark-request-timestamp'] = timestamp;
      headers['x-lark-request-nonce'] = nonce;
      headers['x-lark-signature'] = signature(timestamp, nonce, options.encryptKey, body);
    }
    try {
      const response = await Promise.race([
        options.deliver(options.url, { method: 'POST', headers, body }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), options.timeoutMs ?? 3000).unref()),
      ]);
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // keep text
      }
      return { status: response.status, body: parsed };
    } catch {
      return { status: 0, body: undefined };
    }
  }

  async function push(envelope: Record<string, any>): Promise<PushResult> {
    let last = { status: 0, body: undefined as any };
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, delays[attempt - 1]));
      last = await deliverOnce(envelope);
      if (last.status === 200) return { ...last, attempts: attempt + 1, eventId: envelope.header?.event_id };
    }
    return { ...last, attempts: delays.length + 1, eventId: envelope.header?.event_id };
  }

  return {
    async message(fromOpenId, text, opts = {}) {
      const user = state.users.get(fromOpenId);
      const chatId = opts.chatId ?? p2pChatId(fromOpenId);
      const chatType = opts.chatId ? 'group' : 'p2p';
      const mentions = opts.mentionBot
        ? [{ key: '@_user_1', id: { open_id: state.botOpenId, union_id: '', user_id: '' }, name: state.botName, tenant_key: 'sandbox', mentioned_type: 'bot' }]
        : [];
      const content = JSON.stringify({ text: opts.mentionBot ? `@_user_1 ${text}` : text });
      const stored = state.newMessage({ chat_id: chatId, chat_type: chatType, open_id: chatType === 'p2p' ? fromOpenId : undefined, sender: { type: 'user', id: fromOpenId }, msg_type: 'text', content });
      return push({
        schema: '2.0',
        header: header('im.message.receive_v1'),
        event: {
          sender: { sender_id: { open_id: fromOpenId, user_id: user?.user_id ?? '', union_id: user?.union_id ?? '' }, sender_type: 'user', tenant_key: 'sandbox' },
          message: {
            message_id: stored.message_id,
            root_id: '',
            parent_id: '',
            create_time: String(stored.create_time),
            update_time: String(stored.create_time),
            chat_id: chatId,
            chat_type: chatType,
            message_type: 'text',
            content,
            mentions,
          },
        },
      });
    },

    async cardAction(operatorOpenId, input) {
      const user = state.users.get(operatorOpenId);
      const message = state.messages.get(input.messageId);
      const result = await push({
        schema: '2.0',
        header: header('card.action.trigger'),
        event: {
          operator: { tenant_key: 'sandbox', open_id: operatorOpenId, user_id: user?.user_id ?? '', union_id: user?.union_id ?? '' },
          token: state.issueCardToken(input.messageId),
          action: {
            tag: input.tag ?? 'button',
            value: input.value,
            ...(input.name ? { name: input.name } : {}),
            ...(input.formValue ? { form_value: input.formValue } : {}),
            ...(input.option !== undefined ? { option: input.option } : {}),
            ...(input.inputValue !== undefined ? { input_value: input.inputValue } : {}),
            timezone: 'Asia/Shanghai',
          },
          host: 'im_message',
          context: { open_message_id: input.messageId, open_chat_id: message?.chat_id ?? '' },
        },
      });
      // As in Lark: a `card` in the answer replaces the card the person clicked.
      const replacement = result.body?.card;
      if (result.status === 200 && message && replacement?.type === 'raw' && replacement.data) {
        message.content = JSON.stringify(replacement.data);
        message.updated = true;
        message.update_time = now();
      }
      return result;
    },

    push: (envelope) => push(envelope.header?.event_id ? envelope : { ...envelope, header: { ...header(envelope.header?.event_type ?? 'unknown'), ...envelope.header } }),

    async challenge(challenge) {
      const result = await deliverOnce({ challenge, token: options.verificationToken ?? '', type: 'url_verification' });
      return { ...result, attempts: 1, eventId: '' };
    },
  };
}
