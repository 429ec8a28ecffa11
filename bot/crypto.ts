/**
 * @module
 * Lark's event security: the `x-lark-signature` over the raw body and the AES-256-CBC
 * envelope `{"encrypt": …}`. The receiver verifies and decrypts; the sandbox signs and encrypts.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** sha256_hex(timestamp + nonce + encryptKey + body), as Lark computes it. */
export function signature(timestamp: string, nonce: string, encryptKey: string, body: string | Uint8Array): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey).update(body).digest('hex');
}

/** Compares in constant time, so the answer time says nothing about how much matched. */
export function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function keyOf(encryptKey: string): Buffer {
  return createHash('sha256').update(encryptKey).digest();
}

/** base64(iv ‖ AES-256-CBC(sha256(key), iv, json)). */
export function encrypt(encryptKey: string, plain: string): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', keyOf(encryptKey), iv);
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

/** The inverse of `encrypt`; throws on a wrong key or a damaged body. */
export function decrypt(encryptKey: string, encrypted: string): string {
  const buf = Buffer.from(encrypted, 'base64');
  if (buf.length < 32) throw new Error('encrypted body too short');
  const decipher = createDecipheriv('aes-256-cbc', keyOf(encryptKey), buf.subarray(0, 16));
  return Buffer.concat([decipher.update(buf.subarray(16)), decipher.final()]).toString('utf8');
}
