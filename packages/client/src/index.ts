export type {
  ApiKey,
  ChangeEvent,
  CreateApiKeyBody,
  CreatedApiKey,
  CreatedWebhook,
  CreateWebhookBody,
  CurrentApiKey,
  Delivery,
  ErrorBody,
  JsonObject,
  JsonValue,
  MetadataHistory,
  MetadataKind,
  ReadAfterToken,
  Scope,
  User,
  UserCreatedEvent,
  UserDeletedEvent,
  UserFilter,
  UserList,
  UserMetadata,
  UserMetadataPatch,
  UserMetadataUpdatedEvent,
  UserWithMetadata,
  Webhook,
  WebhookPayload,
} from '@usermeta/contract';
export { jsonEqual, METADATA_KINDS, READ_AFTER_HEADER, SCOPES } from '@usermeta/contract';
export type {
  GetMetadataOptions,
  ListUsersOptions,
  PatchMetadataOptions,
  UsermetaClient,
  UsermetaClientOptions,
} from './client.js';
export { createUsermetaClient } from './client.js';
export type { UsermetaErrorKind } from './errors.js';
export { UsermetaError } from './errors.js';
export { mergePatchBetween } from './merge-patch-between.js';
export type {
  MetadataChange,
  UpdateMetadataOptions,
  UpdateMetadataOutcome,
  WithETag,
} from './update-metadata.js';
export type { VerifyWebhookInput, WebhookVerificationErrorKind } from './verify-webhook.js';
export { verifyWebhook, WebhookVerificationError } from './verify-webhook.js';
