import { initContract } from '@ts-rest/core';
import { adminErrors, bodyErrors, TAGS } from './common.js';
import { routeMeta } from './route-meta.js';
import { ErrorBody, UserIdPathParams, UserMetadata, UserMetadataPatch } from './schemas.js';

const c = initContract();

export const metadataContract = c.router({
  getUserMetadata: {
    method: 'GET',
    path: '/users/:id/metadata',
    pathParams: UserIdPathParams,
    summary: 'Get metadata of a user',
    responses: { 200: UserMetadata, 204: c.noBody(), 400: ErrorBody, 404: ErrorBody, ...adminErrors },
    metadata: routeMeta({
      operationId: 'get-user-metadata',
      tag: TAGS.metadata,
      auth: 'bearer',
      scope: 'metadata:read',
      responseDescriptions: { 204: 'No content (user has no metadata)' },
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
      ...bodyErrors,
      ...adminErrors,
    },
    metadata: routeMeta({
      operationId: 'patch-user-metadata',
      tag: TAGS.metadata,
      auth: 'bearer',
      scope: 'metadata:write',
      responseDescriptions: { 204: 'No content (no metadata left after the patch)' },
    }),
  },
});
