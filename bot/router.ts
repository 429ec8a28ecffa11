/**
 * @module
 * Routes a verified event to its handler, once: the event id is claimed in the same
 * transaction as the handler's effect, and the outbox rows the handler writes are queued only
 * after that transaction commits. Cross-cutting rules live here: ignore the bot's own messages,
 * act in groups only when mentioned, and greet people who are not registered politely.
 */
import type { Db } from '../db/client.ts';
import type { Logger } from '../core/logger.ts';
import { claimEvent } from '../core/inbox.ts';
import { cadreByOpenId, type ChatIdentity } from '../core/directory.ts';
import { addToOutbox, type Executor, type OutboxMessage } from '../core/outbox.ts';
import type { Envelope, HandlerResult } from './receiver.ts';

/** What a card callback may answer: a toast and/or the card's new content. */
export interface CardResponse {
  toast?: { type: 'info' | 'success' | 'warning' | 'error'; content: string };
  card?: { type: 'raw'; data: unknown };
}

export interface Reply {
  msgType: 'text' | 'interactive';
  payload: unknown;
  purpose?: string;
}

/** What a handler gets: the transaction, the person, and a way to answer them. */
export interface ChatContext {
  tx: Executor;
  cadre: ChatIdentity;
  openId: string;
  /** Queues a message to this person (or to the group the event came from). */
  reply(message: Reply): Promise<void>;
  /** Queues any outbox message in the same transaction. */
  send(message: OutboxMessage): Promise<void>;
  log: Logger;
}

export interface TextMessage {
  text: string;
  chatType: 'p2p' | 'group';
  messageId: string;
}

export interface CardAction {
  value: Record<string, unknown>;
  formValue?: Record<string, unknown>;
  name?: string;
  option?: string;
  inputValue?: string;
  openMessageId?: string;
  /** The delayed-update token for `interactive/v1/card/update`. */
  token?: string;
}

export type TextHandler = (message: TextMessage, ctx: ChatContext) => Promise<boolean>;

/** A text command: the exact words (any case) that start it, in every language the bot speaks. */
export interface Command {
  words: readonly string[];
  handle: TextHandler;
}

/** Two handlers for one card action id or one command word: a wiring mistake, refused at start. */
export class RouteConflictError extends Error {
  constructor(what: 'card action' | 'command word', key: string) {
    super(`The ${what} "${key}" is registered twice.`);
    this.name = 'RouteConflictError';
  }
}
export type CardActionHandler = (action: CardAction, ctx: ChatContext) => Promise<CardResponse>;

export interface RouterDeps {
  db: Db;
  /** Puts written outbox rows on the queue; called after the transaction commits. */
  flushOutbox: (ids: string[]) => Promise<void>;
  /** The bot's own open_id, to recognise its mentions and its own messages. */
  botOpenId: () => Promise<string | undefined>;
  log: Logger;
  /** Whom an unregistered person should contact. */
  contactHint?: string;
  /** How long a card callback may take before we answer "still working" (Lark allows 3 s). */
  cardDeadlineMs?: number;
}

export interface Router {
  handle(envelope: Envelope): Promise<HandlerResult>;
  /** A command by its exact words, tried before other text handlers; a word taken twice throws. */
  onCommand(command: Command): void;
  /** Text handlers are tried in order; the first that returns true wins. */
  onText(handler: TextHandler): void;
  /** A fallback for text nobody handled. */
  onUnhandledText(handler: TextHandler): void;
  /** Card actions are routed by `action.value.action`; an id registered twice throws. */
  onCardAction(action: string, handler: CardActionHandler): void;
}

const NOT_REGISTERED = (hint: string) =>
  `您好，您还没有登记为苗圃的使用者，暂时无法为您办理。如需开通，请联系${hint}。`;

class Deadline extends Error {}

export function createRouter(deps: RouterDeps): Router {
  const textHandlers: TextHandler[] = [];
  const commands = new Map<string, TextHandler>();
  let fallback: TextHandler | undefined;
  const cardHandlers = new Map<string, CardActionHandler>();
  const hint = deps.contactHint ?? '区委组织部干部科';

  /** Runs `work` in a transaction that first claims the event; returns undefined for a re-delivery. */
  async function once<T>(envelope: Envelope, work: (tx: Executor, queued: string[]) => Promise<T>): Promise<{ value: T } | undefined> {
    const queued: string[] = [];
    const result = await deps.db.transaction(async (tx) => {
      if (!(await claimEvent(tx, envelope.header!.event_id, envelope.header!.event_type))) return undefined;
      return { value: await work(tx, queued) };
    });
    if (result && queued.length > 0) {
      // The rows are committed: if queueing fails now, the boot-time recovery re-queues them.
      await deps.flushOutbox(queued).catch((err) => deps.log.error({ err }, 'queueing outbox rows failed; recovery will retry'));
    }
    return result;
  }

  function context(tx: Executor, queued: string[], cadre: ChatIdentity, openId: string, replyTo: { id: string; type: 'open_id' | 'chat_id' }): ChatContext {
    const send = async (message: OutboxMessage) => {
      const id = await addToOutbox(tx, message);
      if (id) queued.push(id);
    };
    return {
      tx,
      cadre,
      openId,
      send,
      reply: (m) => send({ recipient: replyTo.id, receiveIdType: replyTo.type, cadreId: cadre.cadreId, purpose: m.purpose ?? 'reply', msgType: m.msgType, payload: m.payload }),
      log: deps.log,
    };
  }

  async function onMessage(envelope: Envelope): Promise<HandlerResult> {
    const { sender, message } = envelope.event ?? {};
    const openId: string | undefined = sender?.sender_id?.open_id;
    if (!message || !openId) return { status: 400, body: { msg: 'message event without sender or message' } };
    const bot = await deps.botOpenId().catch(() => undefined);
    if (sender.sender_type !== 'user' || openId === bot) return { status: 200, body: {} };
    const chatType: 'p2p' | 'group' = message.chat_type === 'p2p' ? 'p2p' : 'group';
    if (chatType === 'group') {
      const mentioned = (message.mentions ?? []).some((m: any) => bot !== undefined && m?.id?.open_id === bot);
      if (!mentioned) return { status: 200, body: {} };
    }
    const replyTo = chatType === 'p2p' ? { id: openId, type: 'open_id' as const } : { id: String(message.chat_id), type: 'chat_id' as const };

    await once(envelope, async (tx, queued) => {
      const cadre = await cadreByOpenId(tx, openId);
      if (!cadre) {
        const id = await addToOutbox(tx, { recipient: replyTo.id, receiveIdType: replyTo.type, purpose: 'reply.unregistered', msgType: 'text', payload: { text: NOT_REGISTERED(hint) } });
        if (id) queued.push(id);
        deps.log.info({ eventId: envelope.header!.event_id }, 'message from an unregistered person');
        return;
      }
      const ctx = context(tx, queued, cadre, openId, replyTo);
      let text = '';
      if (message.message_type === 'text') {
        try {
          text = String(JSON.parse(message.content).text ?? '');
        } catch {
          text = '';
        }
      }
      // Mentions arrive as @_user_N placeholders; they are not part of the command.
      const input: TextMessage = { text: text.replace(/@_user_\d+/g, '').trim(), chatType, messageId: String(message.message_id) };
      const command = commands.get(input.text.toLowerCase());
      if (command && (await command(input, ctx))) return;
      for (const handler of textHandlers) if (await handler(input, ctx)) return;
      if (fallback) await fallback(input, ctx);
    });
    return { status: 200, body: {} };
  }

  async function onCard(envelope: Envelope): Promise<HandlerResult> {
    const event = envelope.event ?? {};
    const openId: string | undefined = event.operator?.open_id;
    const value = (event.action?.value ?? {}) as Record<string, unknown>;
    if (!openId) return { status: 400, body: { msg: 'card callback without operator' } };
    const action: CardAction = {
      value,
      formValue: event.action?.form_value,
      name: event.action?.name,
      option: event.action?.option,
      inputValue: event.action?.input_value,
      openMessageId: event.context?.open_message_id,
      token: event.token,
    };
    const work = once(envelope, async (tx, queued): Promise<CardResponse> => {
      const cadre = await cadreByOpenId(tx, openId);
      if (!cadre) return { toast: { type: 'warning', content: NOT_REGISTERED(hint) } };
      const handler = cardHandlers.get(String(value.action ?? ''));
      if (!handler) return { toast: { type: 'warning', content: '这张卡片已失效，请发送“待办”查看最新事项。' } };
      return handler(action, context(tx, queued, cadre, openId, { id: openId, type: 'open_id' }));
    });
    // Lark waits 3 s for the answer; past our deadline say so instead of letting Lark time out.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Deadline()), deps.cardDeadlineMs ?? 2500);
    });
    try {
      const result = await Promise.race([work, deadline]);
      return { status: 200, body: result ? result.value : {} };
    } catch (err) {
      if (err instanceof Deadline) {
        work.catch((e) => deps.log.error({ err: e, eventId: envelope.header!.event_id }, 'slow card action failed'));
        return { status: 200, body: { toast: { type: 'info', content: '正在处理，请稍候查看结果。' } } };
      }
      deps.log.error({ err, eventId: envelope.header!.event_id }, 'card action failed');
      return { status: 200, body: { toast: { type: 'error', content: '操作未成功，请稍后重试。' } } };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async handle(envelope) {
      const type = envelope.header?.event_type;
      if (!type || !envelope.header?.event_id) {
        deps.log.info({ schema: envelope.schema ?? null }, 'Lark event without a 2.0 header ignored');
        return { status: 200, body: {} };
      }
      switch (type) {
        case 'im.message.receive_v1':
          return onMessage(envelope);
        case 'card.action.trigger':
          return onCard(envelope);
        default:
          deps.log.info({ eventType: type, eventId: envelope.header.event_id }, 'Lark event type not handled');
          return { status: 200, body: {} };
      }
    },
    onCommand(command) {
      for (const word of command.words) {
        const key = word.toLowerCase();
        if (commands.has(key)) throw new RouteConflictError('command word', key);
        commands.set(key, command.handle);
      }
    },
    onText(handler) {
      textHandlers.push(handler);
    },
    onUnhandledText(handler) {
      fallback = handler;
    },
    onCardAction(action, handler) {
      if (cardHandlers.has(action)) throw new RouteConflictError('card action', action);
      cardHandlers.set(action, handler);
    },
  };
}
