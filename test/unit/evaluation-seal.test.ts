import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sealDraft, sealKeyFrom, unsealDraft } from '../../core/evaluation/seal.ts';

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
      expect(() => unsealDraft(key, binding, tampered.toString('base64url'))).toThrow('草稿已失效，请重新打开问卷填写');
    }
    expect(() => unsealDraft(key, binding, 'not-a-draft')).toThrow('草稿已失效');
  });

  it('refuses a draft sealed for another rater, another campaign or with another key', () => {
    const token = sealDraft(key, binding, draft);
    expect(() => unsealDraft(key, { campaignId: 7, raterId: 43 }, token)).toThrow('草稿已失效');
    expect(() => unsealDraft(key, { campaignId: 8, raterId: 42 }, token)).toThrow('草稿已失效');
    expect(() => unsealDraft(randomBytes(32), binding, token)).toThrow('草稿已失效');
  });
});
