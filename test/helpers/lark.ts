/**
 * The bot wired to a test database and the sandbox, with an event pusher that reaches the
 * receiver in-process. What the bot answers is read from the outbox (and, once a worker runs,
 * from the sandbox's message store).
 */
import { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import { createBot } from '../../bot/index.ts';
import { createLarkApi } from '../../bot/lark.ts';
import { createSandbox, demoDirectory, SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../../bot/sandbox/index.ts';
import { createEventPusher, type PusherOptions } from '../../bot/sandbox/pusher.ts';
import { createPendingRegistry } from '../../core/pending.ts';
import { outbox } from '../../db/schema/lark.ts';
import type { Db } from '../../db/client.ts';
import { memoryLogger } from './log.ts';

export const ENCRYPT_KEY = 'test-encrypt-key-9f3a';
export const VERIFICATION_TOKEN = 'test-verification-token-71c2';
export const SANDBOX_DOMAIN = 'http://miaopu.test/sandbox';

export function larkHarness(db: Db, security: { encryptKey?: string; verificationToken?: string } = { encryptKey: ENCRYPT_KEY, verificationToken: VERIFICATION_TOKEN }) {
  const log = memoryLogger();
  const sandbox = createSandbox();
  sandbox.state.setDirectory(demoDirectory());
  const api = createLarkApi({ appId: SANDBOX_APP_ID, appSecret: SANDBOX_APP_SECRET, domain: SANDBOX_DOMAIN, fetch: sandbox.fetch });
  const pending = createPendingRegistry(log);
  const flushed: string[] = [];
  const bot = createBot({
    db,
    log,
    pending,
    flushOutbox: async (ids) => {
      flushed.push(...ids);
    },
    botOpenId: () => api.botOpenId(),
    ...security,
  });
  const app = new Hono().route('/lark', bot.receiver);
  const deliver: PusherOptions['deliver'] = (input, init) => Promise.resolve(app.fetch(input instanceof Request ? input : new Request(input, init)));
  const pusher = (overrides: Partial<PusherOptions> = {}) =>
    createEventPusher({ state: sandbox.state, deliver, url: 'http://miaopu.test/lark/events', retryDelaysMs: [10, 10], ...security, ...overrides });
  return {
    log,
    sandbox,
    api,
    pending,
    bot,
    app,
    flushed,
    pusher: pusher(),
    makePusher: pusher,
    /** Outbox rows addressed to a recipient, oldest first. */
    async repliesTo(recipient: string) {
      return db.select().from(outbox).where(eq(outbox.recipient, recipient)).orderBy(outbox.createdAt);
    },
  };
}
