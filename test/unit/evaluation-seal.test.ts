import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COMMENT_ROOM } from '../../core/evaluation/ballot-box.ts';
import { MAX_COMMENT } from '../../core/evaluation/ballots.ts';
import { sealDraft, sealKeyFrom, sealSlip, SLIP_BLOCK, unsealDraft, unsealSlip } from '../../core/evaluation/seal.ts';

const INVALID_DRAFT = expect.objectContaining({ code: 'invalid_draft' });

const key = sealKeyFrom('test secret');
const binding = { campaignId: 7, raterId: 42 };
const draft = { page: 2, answers: { 11: { loyalty_party: 'good' } } };

describe('sealed ballot drafts', () => {
  it('round-trips a draft for the same campaign and rater, unreadable in transit', () => {
    const token = sealDraft(key, binding, draft);
    expect(token).not.toContain('loyalty');
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toContain('good');
    expect(unsealDraft(key, binding, token)).toEqual(draft);
    // A fresh nonce each time: two seals of the same draft differ.
    expect(sealDraft(key, binding, draft)).not.toBe(token);
  });

  it('refuses a tampered draft', () => {
    const raw = Buffer.from(sealDraft(key, binding, draft), 'base64url');
    for (const position of [5, 20, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[position]! ^= 0x01;
      expect(() => unsealDraft(key, binding, tampered.toString('base64url'))).toThrow(INVALID_DRAFT);
    }
    expect(() => unsealDraft(key, binding, 'not-a-draft')).toThrow(INVALID_DRAFT);
  });

  it('refuses a draft sealed for another rater, another campaign or with another key', () => {
    const token = sealDraft(key, binding, draft);
    expect(() => unsealDraft(key, { campaignId: 7, raterId: 43 }, token)).toThrow(INVALID_DRAFT);
    expect(() => unsealDraft(key, { campaignId: 8, raterId: 42 }, token)).toThrow(INVALID_DRAFT);
    expect(() => unsealDraft(randomBytes(32), binding, token)).toThrow(INVALID_DRAFT);
  });
});

describe('held slips', () => {
  const where = { campaignId: 7, targetId: 11, category: 'peer' };
  const slip = { scores: { loyalty_party: 100 }, grade: null, comment: '工作扎实', flagged: false };

  it('round-trip for their campaign, target and category only, and not with another key', () => {
    const token = sealSlip(key, where, slip);
    expect(unsealSlip(key, where, token)).toEqual(slip);
    for (const other of [{ ...where, campaignId: 8 }, { ...where, targetId: 12 }, { ...where, category: 'subordinate' }]) {
      expect(() => unsealSlip(key, other, token)).toThrow(expect.objectContaining({ code: 'ballot_box_unreadable' }));
    }
    expect(() => unsealSlip(sealKeyFrom('another secret'), where, token)).toThrow(/BALLOT_SEAL_SECRET/);
  });

  it('cannot be passed off as a draft, or a draft as a slip', () => {
    expect(() => unsealDraft(key, { campaignId: 7, raterId: '11:peer' }, sealSlip(key, where, slip))).toThrow(INVALID_DRAFT);
    expect(() => unsealSlip(key, where, sealDraft(key, { campaignId: 7, raterId: 42 }, slip))).toThrow(expect.objectContaining({ code: 'ballot_box_unreadable' }));
  });

  it('are all the same length, however long the comment, given room for the longest', () => {
    expect(COMMENT_ROOM).toBe(6 * MAX_COMMENT + 2);
    // A large custom questionnaire: 120 items.
    const scores = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`item_${i}`, 100]));
    const bare = { scores, grade: null, comment: null, flagged: false };
    const room = Buffer.byteLength(JSON.stringify(bare)) + COMMENT_ROOM;
    const comments = [null, '好', '希望多下基层。'.repeat(71), '\u0001'.repeat(MAX_COMMENT), '"'.repeat(MAX_COMMENT)];
    const lengths = comments.map((comment) => Buffer.from(sealSlip(key, where, { ...bare, comment }, room), 'base64url').length);
    expect(new Set(lengths).size).toBe(1);
    expect((lengths[0]! - 29) % SLIP_BLOCK).toBe(0);
    expect(unsealSlip(key, where, sealSlip(key, where, { ...bare, comment: comments[3] }, room))).toEqual({ ...bare, comment: comments[3] });
  });
});
