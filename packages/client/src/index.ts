export type {
  ErrorBody,
  JsonObject,
  JsonValue,
  User,
  UserMetadata,
  UserMetadataPatch,
  UserWithMetadata,
} from '@usermeta/contract';
export type {
  GetMetadataOptions,
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
