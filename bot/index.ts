/**
 * @module
 * Assembles the bot: router, built-in commands and the HTTP receiver. `main.ts` and the tests
 * build the same graph, so the tests exercise what runs.
 */
import type { Hono } from 'hono';
import type { Db } from '../db/client.ts';
import type { Logger } from '../core/logger.ts';
import type { PendingRegistry } from '../core/pending.ts';
import { registerCommands } from './handlers/commands.ts';
import { createReceiver } from './receiver.ts';
import { createRouter, type CardActionHandler, type Command, type Router } from './router.ts';

export interface BotDeps {
  db: Db;
  log: Logger;
  pending: PendingRegistry;
  flushOutbox: (ids: string[]) => Promise<void>;
  botOpenId: () => Promise<string | undefined>;
  encryptKey?: string;
  verificationToken?: string;
  contactHint?: string;
  now?: () => number;
  /** The features' text commands and card actions (features/assemble.ts). */
  commands?: readonly Command[];
  cardActions?: ReadonlyMap<string, CardActionHandler>;
}

export interface Bot {
  router: Router;
  /** Mount at `/lark`: it serves POST /events and POST /card. */
  receiver: Hono;
}

export function createBot(deps: BotDeps): Bot {
  const router = createRouter({ db: deps.db, log: deps.log, flushOutbox: deps.flushOutbox, botOpenId: deps.botOpenId, contactHint: deps.contactHint });
  registerCommands(router, { pending: deps.pending });
  for (const command of deps.commands ?? []) router.onCommand(command);
  for (const [id, handler] of deps.cardActions ?? []) router.onCardAction(id, handler);
  const receiver = createReceiver({ encryptKey: deps.encryptKey, verificationToken: deps.verificationToken, handle: router.handle, log: deps.log, now: deps.now });
  return { router, receiver };
}
