import { initContract } from '@ts-rest/core';
import { adminErrors, bodyErrors, TAGS } from './common.js';
import { routeMeta } from './route-meta.js';
import { ErrorBody, UserIdPathParams, UserMetadata, UserMetadataPatch } from './schemas.js';

const c = initContract();

const ETAG =
  'The version of the metadata, an opaque strong entity tag. It changes whenever the stored metadata changes, and only then.';
const etagHeaders = { ETag: ETAG };

export const metadataContract = c.router({
  getUserMetadata: {
    method: 'GET',
    path: '/users/:id/metadata',
    pathParams: UserIdPathParams,
    summary: 'Get metadata of a user',
    responses: { 200: UserMetadata, 204: c.noBody(), 304: c.noBody(), 400: ErrorBody, 404: ErrorBody, ...adminErrors },
    metadata: routeMeta({
      operationId: 'get-user-metadata',
      tag: TAGS.metadata,
      auth: 'bearer',
      scope: 'metadata:read',
      replicaRead: true,
      responseDescriptions: {
        204: 'No content (user has no metadata)',
        304: "Not Modified: the request's If-None-Match names the current ETag (a comma-separated list, W/ and * as RFC 9110 says)",
      },
      responseHeaders: { 200: etagHeaders, 204: etagHeaders, 304: etagHeaders },
    }),
  },
  patchUserMetadata: {
    method: 'PATCH',
    path: '/users/:id/metadata',
    pathParams: UserIdPathParams,
    body: UserMetadataPatch,
    summary: 'Patch metadata of a user (JSON Merge Patch per kind)',
    responses: {
      200: UserMetadata,
      204: c.noBody(),
      400: ErrorBody,
      404: ErrorBody,
      412: ErrorBody,
      ...bodyErrors,
      ...adminErrors,
    },
    metadata: routeMeta({
      operationId: 'patch-user-metadata',
      tag: TAGS.metadata,
      auth: 'bearer',
      scope: 'metadata:write',
      responseDescriptions: {
        204: 'No content (no metadata left after the patch)',
        412: 'Precondition Failed: If-Match does not name the current ETag (`metadata has changed`); nothing was saved',
      },
      responseHeaders: { 200: etagHeaders, 204: etagHeaders },
      requestHeaders: {
        'If-Match':
          'Apply the patch only if the metadata is still at this ETag (or `*`); otherwise 412. Compared under the same lock as the write.',
      },
    }),
  },
});
