import { initServer } from '@ts-rest/express';
import { contract, MESSAGES } from '@usermeta/contract';
import { changeContextOf } from '../http/change-context.js';
import { errorBody } from '../http/errors.js';
import type { Implementation } from '../http/implementation.js';
import type { UsersService } from './users.service.js';

const s = initServer();

const notFound = { status: 404, body: errorBody(404, MESSAGES.userNotFound) } as const;

export function usersRoutes(service: UsersService): Implementation<typeof contract.users> {
  return s.router(contract.users, {
    createUser: async ({ body, res }) => {
      const result = await service.create(changeContextOf(res), body?.id?.toLowerCase());
      if (result.kind === 'already_exists') return { status: 409, body: errorBody(409, MESSAGES.userAlreadyExists) };
      return { status: 201, body: result.user };
    },
    getUser: async ({ params }) => {
      const user = await service.get(params.id);
      return user ? { status: 200, body: user } : notFound;
    },
    deleteUser: async ({ params, res }) => {
      const deleted = await service.delete(params.id, changeContextOf(res));
      return deleted ? { status: 204, body: undefined } : notFound;
    },
  });
}
