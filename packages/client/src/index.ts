export type {
  ErrorBody,
  JsonObject,
  JsonValue,
  User,
  UserFilter,
  UserList,
  UserMetadata,
  UserMetadataPatch,
  UserWithMetadata,
} from '@usermeta/contract';
export type { ListUsersOptions, UsermetaClient, UsermetaClientOptions } from './client.js';
export { createUsermetaClient } from './client.js';
export type { UsermetaErrorKind } from './errors.js';
export { UsermetaError } from './errors.js';
