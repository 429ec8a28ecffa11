/**
 * @module
 * POST /lark/events (and /lark/card): bytes in, verified event out. Reads the raw body once
 * (1 MiB at most), answers `url_verification`, checks `x-lark-signature` over the raw bytes in
 * constant time within a 5-minute window, decrypts `{"encrypt": …}`, checks the verification
 * token, then hands the envelope on. Any check that fails answers 401 and changes nothing.
 */
import { Hono, type Context } from 'hono';
import type { Logger } from '../core/logger.ts';
import { decrypt, signature, signatureMatches } from './crypto.ts';

export const MAX_EVENT_BYTES = 1024 * 1024;
const WINDOW_MS = 5 * 60_000;

/** A Lark event envelope (schema 2.0) after decryption. */
export interface Envelope {
  schema?: string;
  type?: string;
  token?: string;
  challenge?: string;
  header?: { event_id: string; event_type: string; token?: string; create_time?: string; app_id?: string; tenant_key?: string };
  event?: any;
}

export interface HandlerResult {
  status: number;
  body: unknown;
}

export interface ReceiverOptions {
  encryptKey?: string;
  verificationToken?: string;
  handle: (envelope: Envelope) => Promise<HandlerResult>;
  log: Logger;
  now?: () => number;
  maxBytes?: number;
}

class Refused extends Error {
  constructor(
    readonly status: 400 | 401 | 413,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(c: Context, max: number): Promise<Uint8Array> {
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > max) throw new Refused(413, 'body too large');
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new Refused(413, 'body too large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function tokensMatch(expected: string, given: unknown): boolean {
  return typeof given === 'string' && signatureMatches(expected, given);
}

export function createReceiver(options: ReceiverOptions): Hono {
  const now = options.now ?? Date.now;
  const max = options.maxBytes ?? MAX_EVENT_BYTES;

  async function verified(c: Context): Promise<Envelope> {
    const raw = await readBody(c, max);
    let outer: Record<string, unknown>;
    try {
      outer = JSON.parse(Buffer.from(raw).toString('utf8'));
      if (!outer || typeof outer !== 'object' || Array.isArray(outer)) throw new Error('not an object');
    } catch {
      throw new Refused(400, 'malformed JSON');
    }

    const key = options.encryptKey;
    const signed = c.req.header('x-lark-signature');
    if (key && signed !== undefined) {
      const timestamp = c.req.header('x-lark-request-timestamp') ?? '';
      const nonce = c.req.header('x-lark-request-nonce') ?? '';
      const at = Number(timestamp) * 1000;
      if (!Number.isFinite(at) || Math.abs(now() - at) > WINDOW_MS) throw new Refused(401, 'timestamp outside the 5-minute window');
      if (!signatureMatches(signature(timestamp, nonce, key, raw), signed)) throw new Refused(401, 'signature mismatch');
    }

    let envelope: Envelope = outer as Envelope;
    if (typeof outer.encrypt === 'string') {
      if (!key) throw new Refused(400, 'encrypted body, but no encrypt key is configured');
      try {
        envelope = JSON.parse(decrypt(key, outer.encrypt));
      } catch {
        throw new Refused(401, 'cannot decrypt');
      }
    }

    // Lark signs everything except the URL challenge; so an unsigned body may only be that.
    if (key && signed === undefined && envelope.type !== 'url_verification') throw new Refused(401, 'unsigned event');
    const token = options.verificationToken;
    if (token && !tokensMatch(token, envelope.header?.token ?? envelope.token)) throw new Refused(401, 'verification token mismatch');
    return envelope;
  }

  async function receive(c: Context) {
    let envelope: Envelope;
    try {
      envelope = await verified(c);
    } catch (error) {
      if (error instanceof Refused) {
        options.log.warn({ status: error.status, reason: error.message, path: c.req.path }, 'Lark event refused');
        return c.json({ msg: error.message }, error.status);
      }
      throw error;
    }
    if (envelope.type === 'url_verification') return c.json({ challenge: envelope.challenge });
    try {
      const result = await options.handle(envelope);
      return c.json(result.body as object, result.status as 200);
    } catch (err) {
      // The router answers its own errors; this is the last guard so no request hangs.
      options.log.error({ err, eventId: envelope.header?.event_id }, 'Lark event handler failed');
      return c.json({ msg: 'internal error' }, 500);
    }
  }

  const app = new Hono();
  app.post('/events', receive);
  app.post('/card', receive);
  return app;
}
