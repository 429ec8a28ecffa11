import { describe, expect, it } from 'vitest';
import { signBallotLink, verifyBallotLink } from '../../core/evaluation/ballot-link.ts';
import { sealKeyFrom } from '../../core/evaluation/seal.ts';

const key = sealKeyFrom('test-secret');
const expiresAt = new Date('2026-12-01T00:00:00Z');
const link = { campaignId: 7, cadreId: 42, category: 'peer', expiresAt };

describe('ballot links', () => {
  it('round-trips campaign, rater, category and expiry', () => {
    const token = signBallotLink(key, link);
    expect(verifyBallotLink(key, token, new Date('2026-11-30T00:00:00Z'))).toEqual(link);
  });

  it('refuses a link after it expires', () => {
    expect(verifyBallotLink(key, signBallotLink(key, link), expiresAt)).toEqual({ error: 'expired' });
  });

  it('refuses a link whose payload was changed to another rater', () => {
    const token = signBallotLink(key, link);
    const [, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ c: 7, r: 43, k: 'peer', e: expiresAt.getTime() })).toString('base64url');
    expect(verifyBallotLink(key, `${forged}.${sig}`, new Date('2026-11-30T00:00:00Z'))).toEqual({ error: 'invalid' });
  });

  it('refuses a link signed with another key, a truncated signature, and garbage', () => {
    const other = signBallotLink(sealKeyFrom('other'), link);
    const now = new Date('2026-11-30T00:00:00Z');
    expect(verifyBallotLink(key, other, now)).toEqual({ error: 'invalid' });
    expect(verifyBallotLink(key, signBallotLink(key, link).slice(0, -3), now)).toEqual({ error: 'invalid' });
    expect(verifyBallotLink(key, 'not-a-token', now)).toEqual({ error: 'invalid' });
    expect(verifyBallotLink(key, '', now)).toEqual({ error: 'invalid' });
  });
});
