import type { ListingPosition } from './users.repository.js';

/**
 * The `next_cursor` of GET /users: the position of a page's last user, base64url-encoded so that
 * callers treat it as opaque. A position, not an offset: users created or deleted between pages
 * cannot shift what the next page returns.
 */
const VERSION = 'u1';
const CONTENT = /^u1:(0|[1-9][0-9]{0,15}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function encodeCursor(position: ListingPosition): string {
  return Buffer.from(`${VERSION}:${position.createdAtMicros}:${position.id}`).toString('base64url');
}

/** The position in a cursor; undefined when it is not one this server made (any edit shows). */
export function decodeCursor(cursor: string): ListingPosition | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('latin1');
  const match = CONTENT.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  const position = { createdAtMicros: BigInt(match[1]), id: match[2] };
  // Base64 has several spellings of the same bytes (trailing bits): only the one we make is valid.
  return encodeCursor(position) === cursor ? position : undefined;
}
