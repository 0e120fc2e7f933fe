import type { Metadata } from '../metadata/draft.js';
import { expectStatus, type UsermetaClient } from './api.js';

/** The metadata the edits start from, and the ETag Save sends as If-Match. */
export type LoadedMetadata = { metadata: Metadata; etag: string | undefined };

/** The stored metadata and its ETag, from one answer (so that the two always belong together). */
export async function loadMetadata(client: UsermetaClient, id: string): Promise<LoadedMetadata> {
  const result = expectStatus(await client.getUserMetadata(id), 200, 204);
  return { metadata: result.status === 200 ? result.body : {}, etag: result.etag };
}
