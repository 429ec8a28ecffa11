import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from '../../core/passwords.ts';

describe('passwords', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('青禾-2026-secret');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored).not.toContain('secret');
    expect(await verifyPassword('青禾-2026-secret', stored)).toBe(true);
    expect(await verifyPassword('青禾-2026-secreT', stored)).toBe(false);
  });

  it('salts each hash, so equal passwords do not look equal', async () => {
    expect(await hashPassword('same-password')).not.toBe(await hashPassword('same-password'));
  });

  it('treats a malformed stored hash as a failed sign-in, not a crash', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
  });

  it('generates typeable passwords without look-alike characters', () => {
    const password = generatePassword();
    expect(password).toMatch(/^[a-zA-Z2-9]{16}$/);
    expect(password).not.toMatch(/[01lIoO]/);
  });
});
