import { initContract } from '@ts-rest/core';
import { adminErrors, bodyErrors, TAGS } from './common.js';
import { routeMeta } from './route-meta.js';
import { CreateUserBody, ErrorBody, User, UserIdPathParams, UserWithMetadata } from './schemas.js';
import { ListUsersQuery, UserList } from './user-listing.js';

const c = initContract();

export const usersContract = c.router({
  listUsers: {
    method: 'GET',
    path: '/users',
    query: ListUsersQuery,
    summary: 'List users, newest first, optionally filtered by metadata (cursor paging)',
    description:
      'Filters are JSON objects matched by containment (PostgreSQL `@>`), one per kind; several filters must all ' +
      'hold. Unknown query parameters are refused.',
    responses: { 200: UserList, 400: ErrorBody, ...adminErrors },
    metadata: routeMeta({
      operationId: 'list-users',
      tag: TAGS.users,
      auth: 'bearer',
      scope: 'users:read',
      replicaRead: true,
    }),
  },
  createUser: {
    method: 'POST',
    path: '/users',
    body: CreateUserBody,
    summary: 'Create a user',
    responses: { 201: User, 400: ErrorBody, 409: ErrorBody, ...bodyErrors, ...adminErrors },
    metadata: routeMeta({ operationId: 'create-user', tag: TAGS.users, auth: 'bearer', scope: 'users:write' }),
  },
  getUser: {
    method: 'GET',
    path: '/users/:id',
    pathParams: UserIdPathParams,
    summary: 'Get a user with its metadata',
    responses: { 200: UserWithMetadata, 400: ErrorBody, 404: ErrorBody, ...adminErrors },
    metadata: routeMeta({
      operationId: 'get-user',
      tag: TAGS.users,
      auth: 'bearer',
      scope: 'users:read',
      replicaRead: true,
    }),
  },
  deleteUser: {
    method: 'DELETE',
    path: '/users/:id',
    pathParams: UserIdPathParams,
    body: c.noBody(),
    summary: 'Delete a user and its metadata',
    responses: { 204: c.noBody(), 400: ErrorBody, 404: ErrorBody, ...adminErrors },
    metadata: routeMeta({ operationId: 'delete-user', tag: TAGS.users, auth: 'bearer', scope: 'users:write' }),
  },
});
