/**
 * @module
 * Sealed drafts. While a rater pages through a ballot, the answers so far travel inside the
 * card or page, not in a table keyed by the rater: AES-256-GCM with the campaign and the rater
 * bound in as associated data, so a draft cannot be read, altered, or replayed by someone else
 * or in another campaign.
 * @example
 *   const token = sealDraft(key, { campaignId: 7, raterId: 42 }, { page: 2, answers });
 *   const draft = unsealDraft(key, { campaignId: 7, raterId: 42 }, token);
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
    throw new EvaluationError('invalid_draft', '草稿已失效，请重新打开问卷填写');
  }
}
