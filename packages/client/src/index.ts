export type {
  ApiKey,
  CreateApiKeyBody,
  CreatedApiKey,
  CurrentApiKey,
  ErrorBody,
  JsonObject,
  JsonValue,
  MetadataKind,
  Scope,
  User,
  UserFilter,
  UserList,
  UserMetadata,
  UserMetadataPatch,
  UserWithMetadata,
} from '@usermeta/contract';
export { METADATA_KINDS, SCOPES } from '@usermeta/contract';
export type { ListUsersOptions, UsermetaClient, UsermetaClientOptions } from './client.js';
export { createUsermetaClient } from './client.js';
export type { UsermetaErrorKind } from './errors.js';
export { UsermetaError } from './errors.js';
