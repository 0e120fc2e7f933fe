export type {
  ChangeEvent,
  CreatedWebhook,
  CreateWebhookBody,
  Delivery,
  ErrorBody,
  JsonObject,
  JsonValue,
  MetadataHistory,
  User,
  UserCreatedEvent,
  UserDeletedEvent,
  UserMetadata,
  UserMetadataPatch,
  UserMetadataUpdatedEvent,
  UserWithMetadata,
  Webhook,
  WebhookPayload,
} from '@usermeta/contract';
export type { UsermetaClient, UsermetaClientOptions } from './client.js';
export { createUsermetaClient } from './client.js';
export type { UsermetaErrorKind } from './errors.js';
export { UsermetaError } from './errors.js';
export type { VerifyWebhookInput, WebhookVerificationErrorKind } from './verify-webhook.js';
export { verifyWebhook, WebhookVerificationError } from './verify-webhook.js';
