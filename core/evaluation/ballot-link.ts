/**
 * @module
 * Signed links to the web ballot (“在网页上填写”): a rater who prefers a browser gets a link that
 * names the campaign, the rater and the category, valid until `expiresAt`. HMAC-SHA256 over the
 * base64url JSON payload, compared in constant time, so a link cannot be altered to vote as
 * someone else.
 * @example
 *   const token = signBallotLink(key, { campaignId: 7, cadreId: 42, category: 'peer', expiresAt });
 *   const link = verifyBallotLink(key, token, clock.now());
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface BallotLink {
  campaignId: number;
  cadreId: number;
  category: string;
  expiresAt: Date;
}

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(`miaopu:ballot-link:${body}`).digest();

export function signBallotLink(key: Buffer, p: BallotLink): string {
  const body = Buffer.from(JSON.stringify({ c: p.campaignId, r: p.cadreId, k: p.category, e: p.expiresAt.getTime() })).toString('base64url');
  return `${body}.${mac(key, body).toString('base64url')}`;
}

export function verifyBallotLink(key: Buffer, token: string, now: Date): BallotLink | { error: 'invalid' | 'expired' } {
  const [body, signature, ...rest] = token.split('.');
  if (!body || !signature || rest.length) return { error: 'invalid' };
  const expected = mac(key, body);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { error: 'invalid' };
  let payload: { c?: unknown; r?: unknown; k?: unknown; e?: unknown };
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { error: 'invalid' };
  }
  const { c, r, k, e } = payload;
  if (!Number.isInteger(c) || !Number.isInteger(r) || typeof k !== 'string' || typeof e !== 'number') return { error: 'invalid' };
  if (now.getTime() >= e) return { error: 'expired' };
  return { campaignId: c as number, cadreId: r as number, category: k, expiresAt: new Date(e) };
}
