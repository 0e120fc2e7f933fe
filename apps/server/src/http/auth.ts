import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.js';

export const UNAUTHORIZED = HttpError.generic(401, { 'WWW-Authenticate': 'Bearer' });

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Compares a presented key with every configured key in constant time: the keys are
 * hashed to equal length first, and the loop never stops early.
 */
export function createKeyChecker(keys: readonly string[]): (presented: string) => boolean {
  const digests = keys.map(digest);
  return (presented) => {
    const candidate = digest(presented);
    let match = false;
    for (const key of digests) match = timingSafeEqual(candidate, key) || match;
    return match;
  };
}

/** `Bearer <token>` with a case-insensitive scheme; anything else is no token. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^bearer +([\x21-\x7e]+) *$/i.exec(header);
  return match?.[1];
}
