import { initServer } from '@ts-rest/express';
import { contract, MESSAGES } from '@usermeta/contract';
import { errorBody } from '../http/errors.js';
import type { Implementation } from '../http/implementation.js';
import { principalOf } from '../http/principal.js';
import { visibleKinds } from '../keys/kind-limits.js';
import type { UsersService } from './users.service.js';

const s = initServer();

const notFound = { status: 404, body: errorBody(404, MESSAGES.userNotFound) } as const;

export function usersRoutes(service: UsersService): Implementation<typeof contract.users> {
  return s.router(contract.users, {
    createUser: async ({ body }) => {
      const result = await service.create(body?.id?.toLowerCase());
      if (result.kind === 'already_exists') return { status: 409, body: errorBody(409, MESSAGES.userAlreadyExists) };
      return { status: 201, body: result.user };
    },
    getUser: async ({ params, res }) => {
      const user = await service.get(params.id);
      if (!user) return notFound;
      const { metadata, ...rest } = user;
      const visible = visibleKinds(principalOf(res), metadata);
      return { status: 200, body: visible ? { ...rest, metadata: visible } : rest };
    },
    deleteUser: async ({ params }) => {
      const deleted = await service.delete(params.id);
      return deleted ? { status: 204, body: undefined } : notFound;
    },
  });
}
