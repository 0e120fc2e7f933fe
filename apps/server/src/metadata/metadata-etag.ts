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
