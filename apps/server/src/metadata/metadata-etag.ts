import type { MetadataVersion } from './metadata.repository.js';

/**
 * The ETag of a user's metadata: `"<incarnation>.<version>"`, a strong entity tag that clients
 * must treat as opaque. `version` is +1 per change (0 before the first), so the tag changes
 * exactly when the stored metadata does. `incarnation` is drawn once when the user is created
 * and never reused, so a user deleted and created again with the same id (back at version 0)
 * never shows a tag that an old copy of the previous user's metadata could match.
 */
export function metadataETag(version: MetadataVersion): string {
  return `"${version.incarnation}.${version.version}"`;
}

/**
 * True when a state the caller names by ETag (the opaque part) is certainly older than or equal
 * to `current`: same incarnation, version not above. A tag of another incarnation, or not ours,
 * cannot be ordered, so it is not.
 */
export function notNewerThan(opaque: string, current: MetadataVersion): boolean {
  const match = /^(\d+)\.(\d+)$/.exec(opaque);
  return match !== null && match[1] === current.incarnation && Number(match[2]) <= current.version;
}
