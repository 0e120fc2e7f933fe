import { initServer } from '@ts-rest/express';
import { contract, MESSAGES, REASON_PHRASES, type UserWithMetadata } from '@usermeta/contract';
import { changeContextOf } from '../http/change-context.js';
import { errorBody } from '../http/errors.js';
import type { Implementation } from '../http/implementation.js';
import { type Principal, principalOf } from '../http/principal.js';
import { type Reads, routedRead } from '../http/read-after.js';
import { mayUseKinds, visibleKinds } from '../keys/kind-limits.js';
import { filteredKinds, type UsersService } from './users.service.js';

const s = initServer();

const notFound = { status: 404, body: errorBody(404, MESSAGES.userNotFound) } as const;
const forbidden = { status: 403, body: errorBody(403, REASON_PHRASES[403]) } as const;

/** A user as the key may see it: kinds it may not read left out, and `metadata` too when none is left. */
function visibleUser(principal: Principal, user: UserWithMetadata): UserWithMetadata {
  const { metadata, ...rest } = user;
  const visible = visibleKinds(principal, metadata);
  return visible ? { ...rest, metadata: visible } : rest;
}

export function usersRoutes(service: UsersService, reads: Reads): Implementation<typeof contract.users> {
  return s.router(contract.users, {
    listUsers: async ({ query, headers, res }) => {
      const principal = principalOf(res);
      // A key limited to some kinds may not even ask about the others.
      if (!mayUseKinds(principal, filteredKinds(query))) return forbidden;
      const result = await routedRead(reads, { headers, res }, (source) => service.list(query, source.db));
      if (result.kind === 'invalid_cursor') return { status: 400, body: errorBody(400, MESSAGES.invalidCursor) };
      return {
        status: 200,
        body: { ...result.page, users: result.page.users.map((user) => visibleUser(principal, user)) },
      };
    },
    createUser: async ({ body, res }) => {
      const result = await service.create(changeContextOf(res), body?.id?.toLowerCase());
      if (result.kind === 'already_exists') return { status: 409, body: errorBody(409, MESSAGES.userAlreadyExists) };
      return { status: 201, body: result.user };
    },
    getUser: async ({ params, headers, res }) => {
      const user = await routedRead(reads, { headers, res }, (source) => service.get(params.id, source.db));
      return user ? { status: 200, body: visibleUser(principalOf(res), user) } : notFound;
    },
    deleteUser: async ({ params, res }) => {
      const deleted = await service.delete(params.id, changeContextOf(res));
      return deleted ? { status: 204, body: undefined } : notFound;
    },
  });
}
