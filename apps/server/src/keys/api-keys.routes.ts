import { initServer } from '@ts-rest/express';
import { contract, MESSAGES, REASON_PHRASES } from '@usermeta/contract';
import { errorBody } from '../http/errors.js';
import type { Implementation } from '../http/implementation.js';
import { principalOf } from '../http/principal.js';
import type { ApiKeysService } from './api-keys.service.js';

const s = initServer();

export function apiKeysRoutes(service: ApiKeysService): Implementation<typeof contract.apiKeys> {
  return s.router(contract.apiKeys, {
    createApiKey: async ({ body, res }) => {
      const result = await service.create(principalOf(res), body);
      if (result.kind === 'invalid') return { status: 400, body: errorBody(400, result.message) };
      if (result.kind === 'forbidden') return { status: 403, body: errorBody(403, REASON_PHRASES[403]) };
      return { status: 201, body: result.apiKey };
    },
    listApiKeys: async () => ({ status: 200, body: { api_keys: await service.list() } }),
    currentApiKey: async ({ res }) => ({ status: 200, body: service.current(principalOf(res)) }),
    revokeApiKey: async ({ params }) => {
      const revoked = await service.revoke(params.id);
      return revoked
        ? { status: 204, body: undefined }
        : { status: 404, body: errorBody(404, MESSAGES.apiKeyNotFound) };
    },
  });
}
