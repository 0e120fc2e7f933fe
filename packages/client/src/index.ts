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
export { jsonEqual, mergePatchBetween } from './merge-patch-between.js';
export type {
  MetadataChange,
  UpdateMetadataOptions,
  UpdateMetadataOutcome,
  WithETag,
} from './update-metadata.js';
