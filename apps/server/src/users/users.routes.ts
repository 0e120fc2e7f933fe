import { initServer } from '@ts-rest/express';
import { contract, MESSAGES } from '@usermeta/contract';
import { errorBody } from '../http/errors.js';
import type { Implementation } from '../http/implementation.js';
import type { UsersService } from './users.service.js';

const s = initServer();

const notFound = { status: 404, body: errorBody(404, MESSAGES.userNotFound) } as const;

export function usersRoutes(service: UsersService): Implementation<typeof contract.users> {
  return s.router(contract.users, {
    listUsers: async ({ query }) => {
      // Checks on the kinds a listing filters on (filteredKinds(query)) belong here, before the service.
      const result = await service.list(query);
      if (result.kind === 'invalid_cursor') return { status: 400, body: errorBody(400, MESSAGES.invalidCursor) };
      return { status: 200, body: result.page };
    },
    createUser: async ({ body }) => {
      const result = await service.create(body?.id?.toLowerCase());
      if (result.kind === 'already_exists') return { status: 409, body: errorBody(409, MESSAGES.userAlreadyExists) };
      return { status: 201, body: result.user };
    },
    getUser: async ({ params }) => {
      const user = await service.get(params.id);
      return user ? { status: 200, body: user } : notFound;
    },
    deleteUser: async ({ params }) => {
      const deleted = await service.delete(params.id);
      return deleted ? { status: 204, body: undefined } : notFound;
    },
  });
}
