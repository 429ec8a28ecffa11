/**
 * @module
 * Signed ballot links. A rater who prefers the browser gets `${PUBLIC_URL}/ballot/<token>` in the
 * chat; the token names the campaign, the rater and the category and expires, and an HMAC over it
 * means nobody can forge a link for someone else. The token is not secret (it sits in a URL), so it
 * carries ids only, never answers.
 * @example
 *   const token = signBallotLink(key, { campaignId: 7, cadreId: 42, category: 'peer', expiresAt });
 *   const link = verifyBallotLink(key, token, clock.now()); // payload, or { error, message }
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RaterCategory } from '../../db/schema/evaluation.ts';

export interface BallotLinkPayload {
  campaignId: number;
  cadreId: number;
  category: RaterCategory;
  expiresAt: Date;
}

export interface BallotLinkError {
  error: 'malformed' | 'bad_signature' | 'expired';
  /** Chinese, for the person who opened the link. */
  message: string;
}

const CATEGORIES: readonly RaterCategory[] = ['superior', 'peer', 'subordinate', 'public'];

/** A separate key per purpose, so a link signature can never double as a draft seal. */
function linkKey(key: Buffer): Buffer {
  return createHmac('sha256', key).update('miaopu:ballot-link:v1').digest();
}

function mac(key: Buffer, body: string): Buffer {
  return createHmac('sha256', linkKey(key)).update(body).digest();
}

/** `<base64url body>.<base64url mac>` where body is `campaignId.cadreId.category.expSeconds`. */
export function signBallotLink(key: Buffer, payload: BallotLinkPayload): string {
  const exp = Math.floor(payload.expiresAt.getTime() / 1000);
  const body = Buffer.from(`${payload.campaignId}.${payload.cadreId}.${payload.category}.${exp}`).toString('base64url');
  return `${body}.${mac(key, body).toString('base64url')}`;
}

/** The payload when the token is genuine and not expired at `now`; otherwise an error. */
export function verifyBallotLink(key: Buffer, token: string, now: Date): BallotLinkPayload | BallotLinkError {
  const malformed: BallotLinkError = { error: 'malformed', message: '链接无效，请从飞书消息中重新打开' };
  if (typeof token !== 'string' || token.length > 512) return malformed;
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return malformed;
  const [body, signature] = parts as [string, string];
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { error: 'bad_signature', message: '链接无效或已被修改，请从飞书消息中重新打开' };
  }
  const fields = Buffer.from(body, 'base64url').toString('utf8').split('.');
  if (fields.length !== 4) return malformed;
  const [campaign, cadre, category, exp] = fields as [string, string, string, string];
  const campaignId = Number(campaign);
  const cadreId = Number(cadre);
  const expSeconds = Number(exp);
  if (![campaignId, cadreId, expSeconds].every((n) => Number.isSafeInteger(n) && n > 0)) return malformed;
  if (!CATEGORIES.includes(category as RaterCategory)) return malformed;
  if (now.getTime() >= expSeconds * 1000) return { error: 'expired', message: '链接已过期，请在飞书中重新获取' };
  return { campaignId, cadreId, category: category as RaterCategory, expiresAt: new Date(expSeconds * 1000) };
}

/** `${publicUrl}/ballot/<token>` for one assignment, valid until the campaign closes. */
export function ballotUrl(key: Buffer, publicUrl: string, input: { campaignId: number; cadreId: number; category: RaterCategory; closesAt: Date }): string {
  const token = signBallotLink(key, { campaignId: input.campaignId, cadreId: input.cadreId, category: input.category, expiresAt: input.closesAt });
  return `${publicUrl.replace(/\/+$/, '')}/ballot/${token}`;
}

/** Narrowing helper for callers. */
export function isBallotLinkError(result: BallotLinkPayload | BallotLinkError): result is BallotLinkError {
  return 'error' in result;
}
