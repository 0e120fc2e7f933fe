import { extendApi } from '@anatine/zod-openapi';
import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { adminErrors, bodyErrors, TAGS } from './common.js';
import { MESSAGES } from './messages.js';
import { PageLimit } from './paging.js';
import { routeMeta } from './route-meta.js';
import { ErrorBody } from './schemas.js';

const c = initContract();

const Timestamp = extendApi(z.string().datetime(), { description: 'RFC 3339 timestamp, UTC' });

export const WebhookIdPathParams = z.object({
  id: z.string({ message: MESSAGES.invalidWebhookId }).uuid({ message: MESSAGES.invalidWebhookId }),
});

/**
 * POST /webhooks. Event types are plain strings here so that an unknown one is answered with
 * its name (`unknown event type: <t>`) by the server rather than a generic enum error.
 */
export const CreateWebhookBody = extendApi(
  z.object(
    {
      url: z.string({ message: MESSAGES.invalidWebhookUrl }).max(2048, MESSAGES.invalidWebhookUrl),
      events: extendApi(
        z.array(z.string({ message: 'events must be a list of event types' }), {
          message: 'events must be a list of event types',
        }),
        { description: 'Event types to receive; left out = every type' },
      ).optional(),
      description: z.string({ message: 'description must be a string' }).max(500, 'description is too long').optional(),
    },
    { message: 'request body must be an object' },
  ),
  { title: 'CreateWebhook' },
);
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

export const Webhook = extendApi(
  z.object({
    id: z.string().uuid(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().optional(),
    created_at: Timestamp,
  }),
  { title: 'Webhook' },
);
export type Webhook = z.infer<typeof Webhook>;

export const CreatedWebhook = extendApi(
  Webhook.extend({
    secret: extendApi(z.string().startsWith('whsec_'), { description: 'Signing secret; shown only in this answer' }),
  }),
  { title: 'CreatedWebhook' },
);
export type CreatedWebhook = z.infer<typeof CreatedWebhook>;

export const WebhookList = z.object({ webhooks: z.array(Webhook) });

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export const Delivery = extendApi(
  z.object({
    event_id: z.string().uuid(),
    type: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int().nonnegative(),
    last_status: z.number().int().optional(),
    last_error: z.string().optional(),
    next_attempt_at: Timestamp.optional(),
    updated_at: Timestamp,
  }),
  { title: 'Delivery' },
);
export type Delivery = z.infer<typeof Delivery>;

export const DeliveryList = z.object({ deliveries: z.array(Delivery) });
export const DeliveriesQuery = z.object({ limit: PageLimit.optional() });

export const webhooksContract = c.router({
  createWebhook: {
    method: 'POST',
    path: '/webhooks',
    body: CreateWebhookBody,
    summary: 'Add a webhook endpoint (the signing secret is shown only here)',
    responses: { 201: CreatedWebhook, 400: ErrorBody, ...bodyErrors, ...adminErrors },
    metadata: routeMeta({
      operationId: 'create-webhook',
      tag: TAGS.webhooks,
      auth: 'bearer',
      scope: 'webhooks:manage',
    }),
  },
  listWebhooks: {
    method: 'GET',
    path: '/webhooks',
    summary: 'List webhook endpoints',
    responses: { 200: WebhookList, ...adminErrors },
    metadata: routeMeta({ operationId: 'list-webhooks', tag: TAGS.webhooks, auth: 'bearer', scope: 'webhooks:manage' }),
  },
  deleteWebhook: {
    method: 'DELETE',
    path: '/webhooks/:id',
    pathParams: WebhookIdPathParams,
    body: c.noBody(),
    summary: 'Remove a webhook endpoint (pending deliveries to it are dropped)',
    responses: { 204: c.noBody(), 400: ErrorBody, 404: ErrorBody, ...adminErrors },
    metadata: routeMeta({
      operationId: 'delete-webhook',
      tag: TAGS.webhooks,
      auth: 'bearer',
      scope: 'webhooks:manage',
    }),
  },
  listDeliveries: {
    method: 'GET',
    path: '/webhooks/:id/deliveries',
    pathParams: WebhookIdPathParams,
    query: DeliveriesQuery,
    summary: 'Deliveries to a webhook endpoint, newest first',
    responses: { 200: DeliveryList, 400: ErrorBody, 404: ErrorBody, ...adminErrors },
    metadata: routeMeta({
      operationId: 'list-webhook-deliveries',
      tag: TAGS.webhooks,
      auth: 'bearer',
      scope: 'webhooks:manage',
    }),
  },
});
