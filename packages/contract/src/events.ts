import { extendApi } from '@anatine/zod-openapi';
import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { adminErrors, TAGS } from './common.js';
import { PageCursor, PageLimit } from './paging.js';
import { routeMeta } from './route-meta.js';
import { ErrorBody, METADATA_KINDS, UserIdPathParams, UserMetadata } from './schemas.js';

const c = initContract();

/** The change event types, in the order api.md lists them. */
export const EVENT_TYPES = ['user.created', 'user.metadata.updated', 'user.deleted'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const EventTimestamp = extendApi(z.string().datetime(), { description: 'RFC 3339 timestamp, UTC' });

/** Carried by every event: who made the change (never the key itself) and the request that made it. */
const EventContext = {
  request_id: z.string(),
  actor: extendApi(z.string(), { description: 'The API key that made the change: its id, or its name (root keys)' }),
};

export const UserCreatedData = z.object({ user_id: z.string().uuid(), ...EventContext });
export const UserDeletedData = z.object({ user_id: z.string().uuid(), ...EventContext });
export const UserMetadataUpdatedData = z.object({
  user_id: z.string().uuid(),
  version: extendApi(z.number().int().positive(), {
    description: 'The metadata version this change produced; consumers order one user’s events by it',
  }),
  changed_kinds: z.array(z.enum(METADATA_KINDS)),
  metadata: UserMetadata,
  previous_metadata: UserMetadata,
  ...EventContext,
});

const event = <T extends EventType, D extends z.ZodTypeAny>(type: T, data: D) =>
  z.object({ id: z.string().uuid(), type: z.literal(type), timestamp: EventTimestamp, data });

export const UserCreatedEvent = extendApi(event('user.created', UserCreatedData), { title: 'UserCreatedEvent' });
export const UserMetadataUpdatedEvent = extendApi(event('user.metadata.updated', UserMetadataUpdatedData), {
  title: 'UserMetadataUpdatedEvent',
});
export const UserDeletedEvent = extendApi(event('user.deleted', UserDeletedData), { title: 'UserDeletedEvent' });

/** A change event as stored and as a webhook receiver sees it (the id travels as `webhook-id`). */
export const ChangeEvent = z.discriminatedUnion('type', [UserCreatedEvent, UserMetadataUpdatedEvent, UserDeletedEvent]);
export type ChangeEvent = z.infer<typeof ChangeEvent>;
export type UserCreatedEvent = z.infer<typeof UserCreatedEvent>;
export type UserMetadataUpdatedEvent = z.infer<typeof UserMetadataUpdatedEvent>;
export type UserDeletedEvent = z.infer<typeof UserDeletedEvent>;

/** The body of a webhook delivery: the event without its id, which is the `webhook-id` header. */
export const WebhookPayload = z.discriminatedUnion('type', [
  UserCreatedEvent.omit({ id: true }),
  UserMetadataUpdatedEvent.omit({ id: true }),
  UserDeletedEvent.omit({ id: true }),
]);
export type WebhookPayload = z.infer<typeof WebhookPayload>;

/** `?limit=` and `?cursor=` as every paged listing takes them (paging.ts). */
export const HistoryQuery = z.object({
  limit: PageLimit.optional(),
  cursor: PageCursor.optional(),
});

export const MetadataHistory = extendApi(
  z.object({
    events: z.array(UserMetadataUpdatedEvent),
    next_cursor: z.string().optional(),
  }),
  { title: 'MetadataHistory' },
);
export type MetadataHistory = z.infer<typeof MetadataHistory>;

export const eventsContract = c.router({
  getMetadataHistory: {
    method: 'GET',
    path: '/users/:id/metadata/history',
    pathParams: UserIdPathParams,
    query: HistoryQuery,
    summary: 'The metadata changes of a user, newest first (cursor paging)',
    responses: { 200: MetadataHistory, 400: ErrorBody, 404: ErrorBody, ...adminErrors },
    metadata: routeMeta({
      operationId: 'get-user-metadata-history',
      tag: TAGS.metadata,
      auth: 'bearer',
      scope: 'metadata:read',
      replicaRead: true,
    }),
  },
});
