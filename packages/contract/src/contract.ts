import { initContract } from '@ts-rest/core';
import { routeMeta } from './route-meta.js';
import {
  Alive,
  CreateUserBody,
  ErrorBody,
  Ready,
  User,
  UserIdPathParams,
  UserMetadata,
  UserMetadataPatch,
  UserWithMetadata,
} from './schemas.js';

const c = initContract();

const METADATA_TAG = 'User Metadata Management';
const USERS_TAG = 'User Management';
const HEALTH_TAG = 'Health';

/** Every admin route can answer these. */
const adminErrors = { 401: ErrorBody, 500: ErrorBody } as const;
/** Every route with a request body can answer these too. */
const bodyErrors = { 413: ErrorBody, 415: ErrorBody } as const;

export const metadataContract = c.router({
  getUserMetadata: {
    method: 'GET',
    path: '/users/:id/metadata',
    pathParams: UserIdPathParams,
    summary: 'Get metadata of a user',
    responses: { 200: UserMetadata, 204: c.noBody(), 400: ErrorBody, 404: ErrorBody, ...adminErrors },
    metadata: routeMeta({
      operationId: 'get-user-metadata',
      tag: METADATA_TAG,
      auth: 'bearer',
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
      tag: METADATA_TAG,
      auth: 'bearer',
      responseDescriptions: { 204: 'No content (no metadata left after the patch)' },
    }),
  },
});

export const usersContract = c.router({
  createUser: {
    method: 'POST',
    path: '/users',
    body: CreateUserBody,
    summary: 'Create a user',
    responses: { 201: User, 400: ErrorBody, 409: ErrorBody, ...bodyErrors, ...adminErrors },
    metadata: routeMeta({ operationId: 'create-user', tag: USERS_TAG, auth: 'bearer' }),
  },
  getUser: {
    method: 'GET',
    path: '/users/:id',
    pathParams: UserIdPathParams,
    summary: 'Get a user with its metadata',
    responses: { 200: UserWithMetadata, 400: ErrorBody, 404: ErrorBody, ...adminErrors },
    metadata: routeMeta({ operationId: 'get-user', tag: USERS_TAG, auth: 'bearer' }),
  },
  deleteUser: {
    method: 'DELETE',
    path: '/users/:id',
    pathParams: UserIdPathParams,
    body: c.noBody(),
    summary: 'Delete a user and its metadata',
    responses: { 204: c.noBody(), 400: ErrorBody, 404: ErrorBody, ...adminErrors },
    metadata: routeMeta({ operationId: 'delete-user', tag: USERS_TAG, auth: 'bearer' }),
  },
});

export const healthContract = c.router({
  alive: {
    method: 'GET',
    path: '/health/alive',
    summary: 'Liveness: the process runs',
    responses: { 200: Alive },
    metadata: routeMeta({ operationId: 'health-alive', tag: HEALTH_TAG, auth: 'public' }),
  },
  ready: {
    method: 'GET',
    path: '/health/ready',
    summary: 'Readiness: the database answers and the server is not shutting down',
    responses: { 200: Ready, 503: Ready },
    metadata: routeMeta({ operationId: 'health-ready', tag: HEALTH_TAG, auth: 'public' }),
  },
});

/** The whole API. `strictStatusCodes`: an undeclared status is a type error on both ends. */
export const contract = c.router(
  { metadata: metadataContract, users: usersContract, health: healthContract },
  { strictStatusCodes: true },
);
export type Contract = typeof contract;

/** The reason phrase of each status the API can answer, used as the generic error message. */
export const REASON_PHRASES = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
} as const satisfies Record<number, string>;
