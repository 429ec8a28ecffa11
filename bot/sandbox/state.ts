/**
 * @module
 * The sandbox's memory: the app and its tokens, a directory of departments and users, the
 * messages the bot sent and received, and the fault knobs tests turn. Kept in memory: the
 * sandbox is a stand-in for Lark, whose data never lives in Miaopu's database.
 */
import { randomBytes, createHash } from 'node:crypto';
import type { LarkDepartment, LarkUser } from '../lark.ts';

export interface SandboxUser extends LarkUser {
  /** False: the user exists but the bot is not available to them (Lark answers 230013). */
  visible?: boolean;
}

export interface SandboxMessage {
  message_id: string;
  chat_id: string;
  chat_type: 'p2p' | 'group';
  /** For messages in a p2p chat: the person's open_id. */
  open_id?: string;
  sender: { type: 'app' | 'user'; id: string };
  msg_type: string;
  /** As Lark stores it: a JSON string. */
  content: string;
  create_time: number;
  update_time: number;
  updated: boolean;
  uuid?: string;
  /** Set for messages created by batch_send (`bm-…`), which cannot be patched or urgent-ed. */
  batch_id?: string;
  urgent_to: string[];
}

/** One injected failure, matched by path prefix, used `count` times. */
/** An approved leave (请假) or business trip (出差); times are local `YYYY-MM-DD HH:mm:ss`. */
export interface SandboxApproval {
  uniq_id: string;
  kind: 'leave' | 'trip';
  start_time: string;
  end_time: string;
  reason?: string;
}

export interface InjectedFault {
  path: string;
  status: number;
  code: number;
  msg?: string;
  headers?: Record<string, string>;
  count: number;
  /** Matching calls to let through before the fault applies (a failure in the middle of a run). */
  skip?: number;
}

export interface Limits {
  /** Sends per sliding second for the app (Lark: 50). */
  perSecond: number;
  /** Sends per sliding minute for the app (Lark: 1,000). */
  perMinute: number;
  /** Sends per sliding second to one user or chat (Lark: 5). */
  perRecipient: number;
}

export const LARK_LIMITS: Limits = { perSecond: 50, perMinute: 1000, perRecipient: 5 };

export interface SandboxOptions {
  appId: string;
  appSecret: string;
  botName?: string;
  /** The organization's name (its root department "0"). */
  tenantName?: string;
  /** Token lifetime in seconds (Lark: 7200). */
  tokenTtlSeconds?: number;
  now?: () => number;
}

export function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A stable p2p chat id per person, as Lark keeps one chat between a bot and a user. */
export function p2pChatId(openId: string): string {
  return `oc_${createHash('md5').update(`p2p:${openId}`).digest('hex')}`;
}

export function createSandboxState(options: SandboxOptions) {
  const now = options.now ?? Date.now;
  const tokens = new Map<string, { expiresAt: number }>();
  const users = new Map<string, SandboxUser>();
  const departments = new Map<string, LarkDepartment>();
  const messages = new Map<string, SandboxMessage>();
  const uuids = new Map<string, { messageId: string; at: number }>();
  const groups = new Map<string, { name: string; members: string[] }>();
  /** Card callback tokens: valid 30 minutes, two uses. */
  const cardTokens = new Map<string, { messageId: string; expiresAt: number; uses: number }>();
  /** Approved leave and trips by Lark user id, as the attendance API reports them. */
  const approvals = new Map<string, SandboxApproval[]>();
  const sendLog: number[] = [];
  const recipientLog = new Map<string, number[]>();

  const state = {
    appId: options.appId,
    appSecret: options.appSecret,
    botName: options.botName ?? '苗圃',
    tenantName: options.tenantName ?? '本单位',
    botOpenId: `ou_${createHash('md5').update(`bot:${options.appId}`).digest('hex')}`,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
    now,
    tokens,
    users,
    departments,
    messages,
    uuids,
    groups,
    cardTokens,
    approvals,
    /** False: the app lacks the attendance scope, and the attendance API answers 99991672. */
    attendanceScope: true,
    faults: {
      injected: [] as InjectedFault[],
      latencyMs: 0,
      /** null: accept any rate. */
      limits: null as Limits | null,
    },
    stats: { sends: 0, rateLimited: 0, tokenRequests: 0, duplicateUuids: 0 },

    /** Replaces the directory. */
    setDirectory(dir: { departments: LarkDepartment[]; users: SandboxUser[] }) {
      departments.clear();
      users.clear();
      for (const d of dir.departments) departments.set(d.department_id, d);
      for (const u of dir.users) users.set(u.open_id, u);
    },
    addGroup(chatId: string, name: string, members: string[]) {
      groups.set(chatId, { name, members });
    },
    /** Every token issued so far stops working (as after Lark rotates them). */
    expireTokens() {
      tokens.clear();
    },
    /** The next `count` requests under `path` fail as given. */
    inject(fault: Omit<InjectedFault, 'count'> & { count?: number }) {
      state.faults.injected.push({ count: 1, ...fault });
    },
    takeFault(path: string): InjectedFault | undefined {
      const fault = state.faults.injected.find((f) => f.count > 0 && path.startsWith(f.path));
      if (fault && fault.skip) {
        fault.skip--;
        return undefined;
      }
      if (fault) fault.count--;
      return fault;
    },
    enforceLimits(limits: Limits | null = LARK_LIMITS) {
      state.faults.limits = limits;
      sendLog.length = 0;
      recipientLog.clear();
    },
    /**
     * Checks a send against the enforced limits (sliding windows) and counts it when allowed.
     * Returns the reason to refuse, or undefined.
     */
    admitSend(recipient: string): { reason: 'app' | 'recipient'; resetSeconds: number } | undefined {
      const limits = state.faults.limits;
      const t = now();
      if (limits) {
        while (sendLog.length > 0 && sendLog[0]! <= t - 60_000) sendLog.shift();
        const lastSecond = sendLog.length - lowerBound(sendLog, t - 1000 + 1);
        if (lastSecond >= limits.perSecond) return { reason: 'app', resetSeconds: 1 };
        if (sendLog.length >= limits.perMinute) return { reason: 'app', resetSeconds: Math.ceil((sendLog[0]! + 60_000 - t) / 1000) };
        const mine = (recipientLog.get(recipient) ?? []).filter((at) => at > t - 1000);
        if (mine.length >= limits.perRecipient) return { reason: 'recipient', resetSeconds: 1 };
        mine.push(t);
        recipientLog.set(recipient, mine);
        sendLog.push(t);
      }
      state.stats.sends++;
      return undefined;
    },
    newMessage(m: Omit<SandboxMessage, 'message_id' | 'create_time' | 'update_time' | 'updated' | 'urgent_to'> & { message_id?: string }): SandboxMessage {
      const t = now();
      const message: SandboxMessage = { message_id: `om_${hex(16)}`, create_time: t, update_time: t, updated: false, urgent_to: [], ...m };
      messages.set(message.message_id, message);
      return message;
    },
    issueCardToken(messageId: string): string {
      const token = `c-${hex(16)}`;
      cardTokens.set(token, { messageId, expiresAt: now() + 30 * 60_000, uses: 0 });
      return token;
    },
    /** The conversation between the bot and one person, oldest first. */
    conversation(openId: string): SandboxMessage[] {
      const chatId = p2pChatId(openId);
      return [...messages.values()].filter((m) => m.chat_id === chatId).sort((a, b) => a.create_time - b.create_time);
    },
    /** Messages the bot sent to one person (p2p and batch). */
    sentTo(openId: string): SandboxMessage[] {
      return [...messages.values()].filter((m) => m.sender.type === 'app' && m.open_id === openId);
    },
  };
  return state;
}

export type SandboxState = ReturnType<typeof createSandboxState>;

/** First index whose value is >= x, in a sorted array. */
function lowerBound(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
