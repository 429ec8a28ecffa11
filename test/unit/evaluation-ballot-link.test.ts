import { describe, expect, it } from 'vitest';
import { isBallotLinkError, signBallotLink, verifyBallotLink } from '../../core/evaluation/ballot-link.ts';
import { sealKeyFrom } from '../../core/evaluation/seal.ts';

const key = sealKeyFrom('test-secret');
const now = new Date('2026-11-25T02:00:00Z');
const expiresAt = new Date('2026-11-30T16:00:00Z');

describe('signed ballot links', () => {
  it('round-trips the campaign, rater, category and expiry', () => {
    const token = signBallotLink(key, { campaignId: 7, cadreId: 42, category: 'peer', expiresAt });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyBallotLink(key, token, now)).toEqual({ campaignId: 7, cadreId: 42, category: 'peer', expiresAt });
  });

  it('refuses a link for another rater made by editing the token', () => {
    const token = signBallotLink(key, { campaignId: 7, cadreId: 42, category: 'peer', expiresAt });
    const [, sig] = token.split('.');
    const forgedBody = Buffer.from(`7.43.peer.${expiresAt.getTime() / 1000}`).toString('base64url');
    const result = verifyBallotLink(key, `${forgedBody}.${sig}`, now);
    expect(isBallotLinkError(result) && result.error).toBe('bad_signature');
  });

  it('refuses a link signed with another key, an expired link and garbage', () => {
    const other = signBallotLink(sealKeyFrom('other'), { campaignId: 7, cadreId: 42, category: 'peer', expiresAt });
    expect(verifyBallotLink(key, other, now)).toMatchObject({ error: 'bad_signature' });
    const token = signBallotLink(key, { campaignId: 7, cadreId: 42, category: 'peer', expiresAt });
    expect(verifyBallotLink(key, token, new Date(expiresAt.getTime() + 1000))).toMatchObject({ error: 'expired', message: expect.stringContaining('过期') });
    expect(verifyBallotLink(key, 'nonsense', now)).toMatchObject({ error: 'malformed' });
    expect(verifyBallotLink(key, '', now)).toMatchObject({ error: 'malformed' });
  });
});
