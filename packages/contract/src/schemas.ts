import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { isJsonObject, type JsonObject } from './json.js';
import { MESSAGES } from './messages.js';

export const METADATA_KINDS = ['public_metadata', 'private_metadata', 'unsafe_metadata'] as const;
export type MetadataKind = (typeof METADATA_KINDS)[number];

export const INVALID_USER_ID = MESSAGES.invalidUserId;

/** A canonical UUID (8-4-4-4-12 hex digits, either case). */
export const UserId = extendApi(z.string({ message: INVALID_USER_ID }).uuid({ message: INVALID_USER_ID }), {
  description: 'UUID of the requested object',
});

export const UserIdPathParams = z.object({ id: UserId });

/**
 * One kind of metadata: a JSON object. A custom schema on purpose: zod's record
 * copies objects and silently drops a `__proto__` key, and metadata keys are
 * user data that must round-trip unchanged.
 */
function metadataObject(message: string) {
  return extendApi(z.custom<JsonObject>(isJsonObject, { message }), {
    type: 'object',
    additionalProperties: {},
    // The custom schema wraps z.any(), which the generator would mark nullable.
    nullable: undefined,
  });
}

const kindObject = metadataObject('metadata must be an object');

export const UserMetadata = extendApi(
  z.object({
    public_metadata: extendApi(kindObject.optional(), { example: { role: 'admin' } }),
    private_metadata: extendApi(kindObject.optional(), {
      example: { internal_id: 'e6c19cfb-09a2-41e5-a908-e33193b7ca0a' },
    }),
    unsafe_metadata: extendApi(kindObject.optional(), { example: { birthday: '2025-05-12' } }),
  }),
  { title: 'UserMetadata', description: 'User metadata' },
);
export type UserMetadata = z.infer<typeof UserMetadata>;

function kindPatch(kind: MetadataKind) {
  return metadataObject(`${kind} must be an object or null`).nullable().optional();
}

/**
 * The body of PATCH /users/{id}/metadata: RFC 7386 JSON Merge Patch per kind.
 * Other top-level keys are ignored (stripped), as Hanko does.
 */
export const UserMetadataPatch = extendApi(
  z
    .object(
      {
        public_metadata: kindPatch('public_metadata'),
        private_metadata: kindPatch('private_metadata'),
        unsafe_metadata: kindPatch('unsafe_metadata'),
      },
      { message: 'patch metadata must be null or object' },
    )
    .nullable(),
  { title: 'UserMetadataPatch', description: 'JSON Merge Patch (RFC 7386) applied to each kind' },
);
export type UserMetadataPatch = z.infer<typeof UserMetadataPatch>;

export const ErrorBody = extendApi(
  z.object({
    code: extendApi(z.number().int(), { format: 'int32' }),
    message: z.string(),
  }),
  { title: 'Error' },
);
export type ErrorBody = z.infer<typeof ErrorBody>;

const Timestamp = extendApi(z.string().datetime(), { description: 'RFC 3339 timestamp, UTC' });

export const User = extendApi(
  z.object({
    id: z.string().uuid(),
    created_at: Timestamp,
    updated_at: Timestamp,
  }),
  { title: 'User' },
);
export type User = z.infer<typeof User>;

export const UserWithMetadata = extendApi(User.extend({ metadata: UserMetadata.optional() }), {
  title: 'UserWithMetadata',
});
export type UserWithMetadata = z.infer<typeof UserWithMetadata>;

export const CreateUserBody = extendApi(
  z
    .object(
      { id: z.string({ message: INVALID_USER_ID }).uuid({ message: INVALID_USER_ID }).optional() },
      { message: 'request body must be an object' },
    )
    .optional(),
  { title: 'CreateUser', description: 'Optional: the id to give the user (generated when left out)' },
);
export type CreateUserBody = z.infer<typeof CreateUserBody>;

export const Alive = z.object({ alive: z.literal(true) });
export const Ready = z.object({ ready: z.boolean() });
