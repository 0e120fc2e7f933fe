import { timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.js';

export const UNAUTHORIZED = HttpError.generic(401, { 'WWW-Authenticate': 'Bearer' });
/** A valid key without the route's scope (or, for PATCH, touching a kind it may not change). */
export const FORBIDDEN = HttpError.generic(403);

/**
 * Compares the SHA-256 of a presented key with that of every root key in constant time: the
 * digests have equal length, and the loop never stops early.
 */
export function createRootKeyChecker(rootKeyDigests: readonly Buffer[]): (digest: Buffer) => boolean {
  return (digest) => {
    let match = false;
    for (const root of rootKeyDigests) match = timingSafeEqual(digest, root) || match;
    return match;
  };
}

/** `Bearer <token>` with a case-insensitive scheme; anything else is no token. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^bearer +([\x21-\x7e]+) *$/i.exec(header);
  return match?.[1];
}
