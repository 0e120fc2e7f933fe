export type {
  ErrorBody,
  JsonObject,
  JsonValue,
  User,
  UserMetadata,
  UserMetadataPatch,
  UserWithMetadata,
} from '@usermeta/contract';
export type { UsermetaClient, UsermetaClientOptions } from './client.js';
export { createUsermetaClient } from './client.js';
export type { UsermetaErrorKind } from './errors.js';
export { UsermetaError } from './errors.js';
