import { hash, randomBytes } from 'node:crypto';

/**
 * The format of keys made through /api-keys: `um_` followed by 43 base64url characters
 * (32 random bytes, 256 bits), 46 characters in all, e.g.
 * `um_q8Xw0n2c3YpVd5Lr1b9T7kHjF4sA6mZeWgQxUoNiE0c`. The prefix lets secret scanners (and
 * people) recognise a leaked key: `\bum_[A-Za-z0-9_-]{43}\b`. Since the key is random and
 * long, a fast hash is enough: only its SHA-256 is stored.
 */
export const KEY_PREFIX = 'um_';
export const KEY_PATTERN = /^um_[A-Za-z0-9_-]{43}$/;

export function generateKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 of a presented key: what is stored, and what a presented key is looked up by. */
export function hashKey(key: string): Buffer {
  // The one-shot hash: no Hash object per request (it runs for every authenticated request).
  return hash('sha256', key, 'buffer');
}
