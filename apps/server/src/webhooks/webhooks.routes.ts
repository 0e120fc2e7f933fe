import { initServer } from '@ts-rest/express';
import { contract, MESSAGES } from '@usermeta/contract';
import { errorBody } from '../http/errors.js';
import type { Implementation } from '../http/implementation.js';
import { principalOf } from '../http/principal.js';
import type { WebhooksService } from './webhooks.service.js';

const s = initServer();

const notFound = { status: 404, body: errorBody(404, MESSAGES.webhookNotFound) } as const;

export function webhooksRoutes(service: WebhooksService): Implementation<typeof contract.webhooks> {
  return s.router(contract.webhooks, {
    createWebhook: async ({ body, res }) => {
      const result = await service.create(body, principalOf(res));
      if (result.kind === 'invalid') return { status: 400, body: errorBody(400, result.message) };
      return { status: 201, body: result.webhook };
    },
    listWebhooks: async () => ({ status: 200, body: { webhooks: await service.list() } }),
    deleteWebhook: async ({ params }) => {
      const deleted = await service.delete(params.id);
      return deleted ? { status: 204, body: undefined } : notFound;
    },
    listDeliveries: async ({ params, query }) => {
      const deliveries = await service.deliveries(params.id, query.limit ?? 20);
      return deliveries ? { status: 200, body: { deliveries } } : notFound;
    },
  });
}
