/**
 * @module
 * Sealed drafts and held slips, both AES-256-GCM under the ballot key (from BALLOT_SEAL_SECRET,
 * never stored in the database).
 * - Drafts: while a rater pages through a ballot, the answers so far travel inside the card or
 *   page, not in a table keyed by the rater, with the campaign and the rater bound in as
 *   associated data, so a draft cannot be read, altered, or replayed by someone else or in
 *   another campaign.
 * - Held slips: a cast slip waits in `evaluation_held_slips` until it can join the box in a
 *   group (ballot-box.ts). Sealed with a key derived for that purpose, bound to its campaign,
 *   target and category, and padded to whole blocks so that its length does not give away the
 *   comment it carries.
 * @example
 *   const token = sealDraft(key, { campaignId: 7, raterId: 42 }, { page: 2, answers });
 *   const draft = unsealDraft(key, { campaignId: 7, raterId: 42 }, token);
 *   const held = sealSlip(key, { campaignId: 7, targetId: 9, category: 'peer' }, slip);
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { EvaluationError } from './errors.ts';

export interface DraftBinding {
  campaignId: number;
  /** The rater's cadre id, or for a public rater the hash of their code. */
  raterId: number | string;
}

const VERSION = 1;

/** A 32-byte key from a configured secret (the caller owns the secret). */
export function sealKeyFrom(secret: string): Buffer {
  return createHash('sha256').update(`miaopu-ballot-draft:${secret}`).digest();
}

function associatedData(binding: DraftBinding): Buffer {
  return Buffer.from(`miaopu:evaluation-draft:v${VERSION}:${binding.campaignId}:${binding.raterId}`);
}

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new Error('the draft seal key must be 32 bytes');
}

/** base64url of version ‖ 12-byte nonce ‖ 16-byte tag ‖ ciphertext. */
export function sealDraft(key: Buffer, binding: DraftBinding, draft: unknown): string {
  checkKey(key);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(binding));
  const body = Buffer.concat([cipher.update(JSON.stringify(draft), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The draft, or EvaluationError('invalid_draft') when it was altered or sealed for someone else. */
export function unsealDraft<T = unknown>(key: Buffer, binding: DraftBinding, token: string): T {
  checkKey(key);
  const raw = Buffer.from(token, 'base64url');
  try {
    if (raw.length < 29 || raw[0] !== VERSION) throw new Error('malformed');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(1, 13));
    decipher.setAAD(associatedData(binding));
    decipher.setAuthTag(raw.subarray(13, 29));
    const text = Buffer.concat([decipher.update(raw.subarray(29)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as T;
  } catch {
    throw new EvaluationError('invalid_draft');
  }
}

export interface SlipBinding {
  campaignId: number;
  targetId: number;
  category: string;
}

/** Plaintext of a held slip is padded with spaces (JSON ignores them) to a multiple of this. */
export const SLIP_BLOCK = 4096;

/** The held-slip key: derived, so a draft token can never be passed off as a slip or back. */
function slipKey(key: Buffer): Buffer {
  return createHash('sha256').update('miaopu-ballot-box:').update(key).digest();
}

function slipData(binding: SlipBinding): Buffer {
  return Buffer.from(`miaopu:evaluation-slip:v${VERSION}:${binding.campaignId}:${binding.targetId}:${binding.category}`);
}

/**
 * base64url of version ‖ 12-byte nonce ‖ 16-byte tag ‖ ciphertext of the JSON padded to whole
 * blocks, and to at least `minBytes`: the caller makes room for the longest content it allows,
 * so that the length depends on the questionnaire only.
 */
export function sealSlip(key: Buffer, binding: SlipBinding, slip: unknown, minBytes = 0): string {
  checkKey(key);
  const json = JSON.stringify(slip);
  const size = Math.ceil(Math.max(Buffer.byteLength(json, 'utf8') + 1, minBytes) / SLIP_BLOCK) * SLIP_BLOCK;
  const padded = Buffer.alloc(size, 0x20);
  padded.write(json, 'utf8');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', slipKey(key), iv);
  cipher.setAAD(slipData(binding));
  const body = Buffer.concat([cipher.update(padded), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]).toString('base64url');
}

/**
 * The slip, or EvaluationError('ballot_box_unreadable') when it was sealed under another key
 * (BALLOT_SEAL_SECRET changed while the campaign was open) or altered.
 */
export function unsealSlip<T = unknown>(key: Buffer, binding: SlipBinding, token: string): T {
  checkKey(key);
  const raw = Buffer.from(token, 'base64url');
  try {
    if (raw.length < 29 || raw[0] !== VERSION) throw new Error('malformed');
    const decipher = createDecipheriv('aes-256-gcm', slipKey(key), raw.subarray(1, 13));
    decipher.setAAD(slipData(binding));
    decipher.setAuthTag(raw.subarray(13, 29));
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(29)), decipher.final()]).toString('utf8')) as T;
  } catch {
    throw new EvaluationError(
      'ballot_box_unreadable',
      '投票箱中有选票无法启封：选票密钥（BALLOT_SEAL_SECRET）与投票时不同，或记录被改动。请恢复投票时的密钥后再试；在此之前不会计入也不会丢弃任何选票。',
    );
  }
}
