import { initServer } from '@ts-rest/express';
import { contract, MESSAGES } from '@usermeta/contract';
import { changeContextOf } from '../http/change-context.js';
import { errorBody } from '../http/errors.js';
import type { Implementation } from '../http/implementation.js';
import type { MetadataService } from './metadata.service.js';

const s = initServer();

const notFound = { status: 404, body: errorBody(404, MESSAGES.userNotFound) } as const;

export function metadataRoutes(service: MetadataService): Implementation<typeof contract.metadata> {
  return s.router(contract.metadata, {
    getUserMetadata: async ({ params }) => {
      const result = await service.get(params.id);
      if (result.kind === 'user_not_found') return notFound;
      return result.metadata ? { status: 200, body: result.metadata } : { status: 204, body: undefined };
    },
    patchUserMetadata: async ({ params, body, res }) => {
      const result = await service.patch(params.id, body, changeContextOf(res));
      if (result.kind === 'user_not_found') return notFound;
      if (result.kind === 'invalid') return { status: 400, body: errorBody(400, result.message) };
      return result.metadata ? { status: 200, body: result.metadata } : { status: 204, body: undefined };
    },
  });
}
