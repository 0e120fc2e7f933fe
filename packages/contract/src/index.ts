export {
  ApiKey,
  ApiKeyId,
  ApiKeyList,
  apiKeysContract,
  CreateApiKeyBody,
  CreatedApiKey,
  CurrentApiKey,
} from './api-keys.js';
export { adminErrors, bodyErrors, TAGS } from './common.js';
export { READ_AFTER_DESCRIPTIONS, READ_AFTER_HEADER, ReadAfterToken, readAfterRole } from './consistency.js';
export type { Contract } from './contract.js';
export {
  contract,
  healthContract,
  metadataContract,
  operationsContract,
  REASON_PHRASES,
  usersContract,
} from './contract.js';
export {
  ChangeEvent,
  EVENT_TYPES,
  type EventType,
  eventsContract,
  HistoryQuery,
  MetadataHistory,
  UserCreatedEvent,
  UserDeletedEvent,
  UserMetadataUpdatedEvent,
  WebhookPayload,
} from './events.js';
export type { JsonObject, JsonValue } from './json.js';
export { isJsonObject } from './json.js';
export { METADATA_LIMITS } from './limits.js';
export { applyMergePatch, jsonEqual, setOwn } from './merge-patch.js';
export { MESSAGES } from './messages.js';
export { METRICS_CONTENT_TYPE } from './operations.js';
export { PAGE_LIMIT, PageCursor, PageLimit, strictQuery } from './paging.js';
export type { RouteMeta } from './route-meta.js';
export type { MetadataKind } from './schemas.js';
export {
  CreateUserBody,
  ErrorBody,
  INVALID_USER_ID,
  METADATA_KINDS,
  User,
  UserId,
  UserMetadata,
  UserMetadataPatch,
  UserWithMetadata,
} from './schemas.js';
export { SCOPES, type Scope } from './scopes.js';
export {
  filterMessage,
  ListUsersQuery,
  type ListUsersQueryInput,
  type UserFilter,
  UserList,
} from './user-listing.js';
export {
  CreatedWebhook,
  CreateWebhookBody,
  DELIVERY_STATUSES,
  DeliveriesQuery,
  Delivery,
  Webhook,
  webhooksContract,
} from './webhooks.js';
