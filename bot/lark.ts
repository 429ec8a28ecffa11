/**
 * @module
 * The outbound Lark client: the SDK `Client` with its edges wrapped. Each `LarkApi` keeps its
 * own tenant token (one refresh at a time; a token Lark calls invalid is dropped and the call
 * retried once), every request has a timeout, `code != 0` is an error, and every error is a
 * `LarkError` whose `kind` tells the caller what to do: wait (`rate_limited`), retry later
 * (`transient`) or give up (`permanent`).
 */
import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from '../core/logger.ts';
import { createHttp, LarkHttpError, type Fetch } from './http.ts';

export type LarkErrorKind = 'rate_limited' | 'transient' | 'permanent';

/** A Lark failure with a stable kind; `code` is Lark's own code when it sent one. */
export class LarkError extends Error {
  constructor(
    readonly kind: LarkErrorKind,
    message: string,
    readonly code?: number,
    readonly status?: number,
    /** For `rate_limited`: how long Lark asked us to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'LarkError';
  }
}

/** Gateway rate limit (HTTP 429, or 400 on some older APIs). */
export const CODE_RATE_LIMITED = 99991400;
/** IM frequency limit: 5 QPS per user or per chat. */
export const CODE_CHAT_RATE_LIMITED = 230020;
/** Token invalid / Authorization missing or malformed: drop the token and retry once. */
export const TOKEN_CODES = new Set([99991663, 99991661, 99991668]);

/** `x-ogw-ratelimit-reset` is in seconds; when absent, wait a second. */
function resetMs(headers: Record<string, string> | undefined): number {
  const seconds = Number(headers?.['x-ogw-ratelimit-reset']);
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds * 1000) : 1000;
}

/** Maps any failure of a Lark call to a `LarkError`. */
export function classify(error: unknown): LarkError {
  if (error instanceof LarkError) return error;
  if (error instanceof LarkHttpError) {
    const r = error.response;
    if (!r) return new LarkError('transient', error.message);
    const body = (r.data ?? {}) as { code?: number; msg?: string };
    const code = typeof body.code === 'number' ? body.code : undefined;
    const msg = `HTTP ${r.status}${code !== undefined ? `, code ${code}` : ''}${body.msg ? `: ${body.msg}` : ''}`;
    if (r.status === 429 || code === CODE_RATE_LIMITED) return new LarkError('rate_limited', msg, code, r.status, resetMs(r.headers));
    if (code === CODE_CHAT_RATE_LIMITED) return new LarkError('rate_limited', msg, code, r.status, 1000);
    if (r.status >= 500) return new LarkError('transient', msg, code, r.status);
    return new LarkError('permanent', msg, code, r.status);
  }
  return new LarkError('transient', (error as Error)?.message ?? String(error));
}

/** A 200 answer whose `code` is not 0 is a failure too. */
function checked<T extends { code?: number; msg?: string }>(body: T): T {
  if (body && typeof body.code === 'number' && body.code !== 0) {
    if (body.code === CODE_RATE_LIMITED || body.code === CODE_CHAT_RATE_LIMITED)
      throw new LarkError('rate_limited', `code ${body.code}: ${body.msg ?? ''}`, body.code, 200, 1000);
    throw new LarkError('permanent', `code ${body.code}: ${body.msg ?? ''}`, body.code, 200);
  }
  return body;
}

export interface OutgoingMessage {
  receiveId: string;
  receiveIdType?: 'open_id' | 'user_id' | 'union_id' | 'email' | 'chat_id';
  msgType: string;
  /** The content object; sent as the JSON string Lark expects. */
  content: unknown;
  /** Idempotency key: Lark delivers at most one message per uuid within an hour. */
  uuid?: string;
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
  pageToken?: string;
}

export interface LarkDepartment {
  department_id: string;
  open_department_id?: string;
  parent_department_id?: string;
  name: string;
  order?: string;
}

export interface LarkUser {
  open_id: string;
  user_id?: string;
  union_id?: string;
  name: string;
  mobile?: string;
  employee_no?: string;
  department_ids?: string[];
  job_title?: string;
  gender?: number;
}

export interface LarkApi {
  readonly appId: string;
  sendMessage(message: OutgoingMessage): Promise<{ messageId: string; chatId?: string }>;
  /** Replaces a card sent with `update_multi: true`. */
  patchMessage(messageId: string, content: unknown): Promise<void>;
  /** One message to many users (`/open-apis/message/v4/batch_send/`); ids Lark did not know come back. */
  batchSend(input: { openIds: string[]; msgType: string; content: unknown }): Promise<{ messageId: string; invalidOpenIds: string[] }>;
  urgentApp(messageId: string, openIds: string[]): Promise<{ invalidOpenIds: string[] }>;
  /** Delayed card update with the token of a card callback (valid 30 min, twice). */
  updateCardByToken(token: string, card: unknown): Promise<void>;
  departmentChildren(departmentId: string, pageToken?: string): Promise<Page<LarkDepartment>>;
  usersInDepartment(departmentId: string, pageToken?: string): Promise<Page<LarkUser>>;
  /**
   * Approved leave (请假) and business trips (出差) of the given users (Lark user ids, at most 50)
   * touching the days `from`..`to` (YYYY-MM-DD), from Lark's attendance API. Needs the app's
   * attendance scope (`attendance:task:readonly`); without it Lark answers 99991672.
   */
  leaveApprovals(userIds: string[], from: string, to: string): Promise<LarkLeave[]>;
  /** The bot's own open_id, asked once. */
  botOpenId(): Promise<string>;
}

/** A leave or a trip as Lark's attendance API reports it; times are local wall-clock `YYYY-MM-DD HH:mm:ss`. */
export interface LarkLeave {
  userId: string;
  uniqId: string;
  kind: 'leave' | 'trip';
  startTime: string;
  endTime: string;
}

export interface LarkApiOptions {
  appId: string;
  appSecret: string;
  /** Base URL, e.g. https://open.feishu.cn or http://127.0.0.1:3000/sandbox */
  domain: string;
  /** Defaults to global fetch; the sandbox tests pass the sandbox app's fetch. */
  fetch?: Fetch;
  timeoutMs?: number;
  log?: Logger;
}

/** Renew a little before Lark's expiry, as the SDK does. */
const TOKEN_MARGIN_MS = 3 * 60_000;

/**
 * @example
 * const api = createLarkApi({ appId, appSecret, domain: 'https://open.feishu.cn' });
 * await api.sendMessage({ receiveId: 'ou_x', msgType: 'text', content: { text: '你好' }, uuid: rowId });
 */
export function createLarkApi(options: LarkApiOptions): LarkApi {
  const http = createHttp({ fetch: options.fetch, timeoutMs: options.timeoutMs ?? 10_000 });
  const quiet = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };
  // Our own token handling: the SDK's default cache is shared process-wide by app id and never
  // drops a token Lark rejected, and its own fetch is not single-flight.
  const client = new lark.Client({
    appId: options.appId,
    appSecret: options.appSecret,
    domain: options.domain,
    httpInstance: http,
    disableTokenCache: true,
    logger: quiet,
  });

  let token: { value: string; expiresAt: number } | undefined;
  let refreshing: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    let body: { code?: number; msg?: string; tenant_access_token?: string; expire?: number };
    try {
      body = await http.post(`${options.domain}/open-apis/auth/v3/tenant_access_token/internal`, {
        app_id: options.appId,
        app_secret: options.appSecret,
      });
    } catch (error) {
      throw classify(error);
    }
    if (!body?.tenant_access_token) {
      // Wrong app id or secret: retrying will not help until an operator fixes the configuration.
      throw new LarkError('permanent', `tenant_access_token refused: code ${body?.code}: ${body?.msg ?? ''}`, body?.code);
    }
    token = { value: body.tenant_access_token, expiresAt: Date.now() + (body.expire ?? 7200) * 1000 - TOKEN_MARGIN_MS };
    return token.value;
  }

  function currentToken(): Promise<string> {
    if (token && token.expiresAt > Date.now()) return Promise.resolve(token.value);
    refreshing ??= fetchToken().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  /** Runs one API call with a valid token; a rejected token is dropped and the call made once more. */
  async function call<T extends { code?: number; msg?: string }>(run: (auth: ReturnType<typeof lark.withTenantToken>) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const used = await currentToken();
      try {
        return checked(await run(lark.withTenantToken(used)));
      } catch (error) {
        const classified = classify(error);
        if (attempt === 0 && classified.code !== undefined && TOKEN_CODES.has(classified.code)) {
          if (token?.value === used) token = undefined;
          options.log?.warn({ code: classified.code }, 'Lark rejected the tenant token; fetching a new one');
          continue;
        }
        throw classified;
      }
    }
  }

  let botOpenId: Promise<string> | undefined;

  return {
    appId: options.appId,
    async sendMessage(m) {
      const res = await call((auth) =>
        client.im.message.create(
          {
            params: { receive_id_type: m.receiveIdType ?? 'open_id' },
            data: { receive_id: m.receiveId, msg_type: m.msgType, content: JSON.stringify(m.content), uuid: m.uuid },
          },
          auth,
        ),
      );
      return { messageId: res.data!.message_id!, chatId: res.data?.chat_id };
    },
    async patchMessage(messageId, content) {
      await call((auth) => client.im.message.patch({ path: { message_id: messageId }, data: { content: JSON.stringify(content) } }, auth));
    },
    async batchSend(input) {
      const isCard = input.msgType === 'interactive';
      const res = await call((auth) =>
        client.request<{ code?: number; msg?: string; data?: { message_id: string; invalid_open_ids?: string[] } }>(
          {
            method: 'POST',
            url: '/open-apis/message/v4/batch_send/',
            data: { msg_type: input.msgType, open_ids: input.openIds, ...(isCard ? { card: input.content } : { content: input.content }) },
          },
          auth,
        ),
      );
      return { messageId: res.data!.message_id, invalidOpenIds: res.data?.invalid_open_ids ?? [] };
    },
    async urgentApp(messageId, openIds) {
      const res = await call((auth) =>
        client.im.message.urgentApp(
          { path: { message_id: messageId }, params: { user_id_type: 'open_id' }, data: { user_id_list: openIds } },
          auth,
        ),
      );
      return { invalidOpenIds: res.data?.invalid_user_id_list ?? [] };
    },
    async updateCardByToken(cardToken, card) {
      await call((auth) =>
        client.request<{ code?: number; msg?: string }>({ method: 'POST', url: '/open-apis/interactive/v1/card/update', data: { token: cardToken, card } }, auth),
      );
    },
    async departmentChildren(departmentId, pageToken) {
      const res = await call((auth) =>
        client.contact.department.children(
          {
            path: { department_id: departmentId },
            params: { department_id_type: 'department_id', user_id_type: 'open_id', page_size: 50, page_token: pageToken },
          },
          auth,
        ),
      );
      return { items: (res.data?.items ?? []) as LarkDepartment[], hasMore: !!res.data?.has_more, pageToken: res.data?.page_token };
    },
    async usersInDepartment(departmentId, pageToken) {
      const res = await call((auth) =>
        client.contact.user.findByDepartment(
          { params: { department_id: departmentId, department_id_type: 'department_id', user_id_type: 'open_id', page_size: 50, page_token: pageToken } },
          auth,
        ),
      );
      return { items: (res.data?.items ?? []) as LarkUser[], hasMore: !!res.data?.has_more, pageToken: res.data?.page_token };
    },
    async leaveApprovals(userIds, from, to) {
      const day = (d: string) => Number(d.replaceAll('-', ''));
      const res = await call((auth) =>
        client.attendance.userApproval.query(
          { params: { employee_type: 'employee_id' }, data: { user_ids: userIds, check_date_from: day(from), check_date_to: day(to) } },
          auth,
        ),
      );
      const out: LarkLeave[] = [];
      for (const approval of res.data?.user_approvals ?? []) {
        for (const l of approval.leaves ?? []) if (l.uniq_id) out.push({ userId: approval.user_id, uniqId: l.uniq_id, kind: 'leave', startTime: l.start_time, endTime: l.end_time });
        for (const t of (approval as { trips?: Array<{ approval_id?: string; start_time: string; end_time: string }> }).trips ?? []) {
          if (t.approval_id) out.push({ userId: approval.user_id, uniqId: `trip-${t.approval_id}`, kind: 'trip', startTime: t.start_time, endTime: t.end_time });
        }
      }
      return out;
    },
    botOpenId() {
      botOpenId ??= call((auth) =>
        client.request<{ code?: number; msg?: string; bot?: { open_id: string } }>({ method: 'GET', url: '/open-apis/bot/v3/info' }, auth),
      )
        .then((res) => res.bot!.open_id)
        .catch((error) => {
          botOpenId = undefined;
          throw error;
        });
      return botOpenId;
    },
  };
}
