import { extendApi } from '@anatine/zod-openapi';
import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { adminErrors, bodyErrors, TAGS } from './common.js';
import { MESSAGES } from './messages.js';
import { routeMeta } from './route-meta.js';
import { ErrorBody, METADATA_KINDS, type MetadataKind } from './schemas.js';
import { SCOPES, type Scope } from './scopes.js';

const c = initContract();

const Timestamp = extendApi(z.string().datetime(), { description: 'RFC 3339 timestamp, UTC' });

/** A key's id: a canonical UUID. */
export const ApiKeyId = extendApi(
  z.string({ message: MESSAGES.invalidApiKeyId }).uuid({ message: MESSAGES.invalidApiKeyId }),
  { description: 'UUID of the API key' },
);

/** The scopes of a new key: every element a known scope (`unknown scope: <s>` names the first that is not). */
const NewKeyScopes = extendApi(
  z
    .array(
      z.enum(SCOPES, {
        errorMap: (_issue, ctx) => ({ message: `${MESSAGES.unknownScopePrefix}${String(ctx.data)}` }),
      }),
      { message: MESSAGES.invalidScopes },
    )
    .transform((values): Scope[] => SCOPES.filter((scope) => values.includes(scope))),
  { description: 'What the key may do' },
);

/** The kinds of a new key: a non-empty list of metadata kinds. */
const NewKeyKinds = extendApi(
  z
    .array(z.enum(METADATA_KINDS, { message: MESSAGES.invalidKinds }), { message: MESSAGES.invalidKinds })
    .min(1, { message: MESSAGES.invalidKinds })
    .transform((values): MetadataKind[] => METADATA_KINDS.filter((kind) => values.includes(kind))),
  { description: 'Left out: every kind. Otherwise the only kinds the key may read and change' },
);

/** Printable, not blank, at most 100 characters. */
const KeyName = extendApi(
  z
    .string({ message: MESSAGES.invalidName })
    .max(100, { message: MESSAGES.invalidName })
    .refine((name) => name.trim().length > 0 && !/\p{Cc}/u.test(name), { message: MESSAGES.invalidName }),
  { description: 'A label for people (1 to 100 characters, no control characters)' },
);

export const CreateApiKeyBody = extendApi(
  z.object(
    {
      name: KeyName,
      scopes: NewKeyScopes,
      kinds: NewKeyKinds.optional(),
      expires_at: extendApi(
        z
          .string({ message: MESSAGES.invalidExpiresAt })
          .datetime({ offset: true, message: MESSAGES.invalidExpiresAt })
          .optional(),
        { description: 'RFC 3339 timestamp in the future; left out: the key never expires' },
      ),
    },
    { message: 'request body must be an object' },
  ),
  { title: 'CreateApiKey' },
);
export type CreateApiKeyBody = z.input<typeof CreateApiKeyBody>;

const Scopes = z.array(z.enum(SCOPES));
const Kinds = z.array(z.enum(METADATA_KINDS));

export const ApiKey = extendApi(
  z.object({
    id: z.string().uuid(),
    name: z.string(),
    scopes: Scopes,
    kinds: Kinds.optional(),
    expires_at: Timestamp.optional(),
    created_at: Timestamp,
    last_used_at: extendApi(Timestamp.optional(), {
      description: 'When the key was last used (updated at most about once a minute)',
    }),
  }),
  { title: 'ApiKey' },
);
export type ApiKey = z.infer<typeof ApiKey>;

export const CreatedApiKey = extendApi(
  ApiKey.omit({ last_used_at: true }).extend({
    key: extendApi(z.string(), { description: 'The secret (`um_…`): shown only in this answer' }),
  }),
  { title: 'CreatedApiKey' },
);
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const ApiKeyList = extendApi(z.object({ api_keys: z.array(ApiKey) }), { title: 'ApiKeyList' });
export type ApiKeyList = z.infer<typeof ApiKeyList>;

export const CurrentApiKey = extendApi(
  z.object({
    id: z.string().uuid().optional(),
    name: z.string(),
    scopes: Scopes,
    kinds: Kinds.optional(),
    expires_at: Timestamp.optional(),
  }),
  { title: 'CurrentApiKey', description: 'The key that made the request (root keys: name `root`, no id)' },
);
export type CurrentApiKey = z.infer<typeof CurrentApiKey>;

export const apiKeysContract = c.router({
  createApiKey: {
    method: 'POST',
    path: '/api-keys',
    body: CreateApiKeyBody,
    summary: 'Make an API key with scopes, optionally limited to some metadata kinds (the key is shown only here)',
    responses: { 201: CreatedApiKey, 400: ErrorBody, ...bodyErrors, ...adminErrors },
    metadata: routeMeta({ operationId: 'create-api-key', tag: TAGS.apiKeys, auth: 'bearer', scope: 'keys:manage' }),
  },
  listApiKeys: {
    method: 'GET',
    path: '/api-keys',
    summary: 'List the API keys made through the API (never the keys themselves)',
    responses: { 200: ApiKeyList, ...adminErrors },
    metadata: routeMeta({ operationId: 'list-api-keys', tag: TAGS.apiKeys, auth: 'bearer', scope: 'keys:manage' }),
  },
  currentApiKey: {
    method: 'GET',
    path: '/api-keys/current',
    summary: 'Describe the key that made this request',
    responses: { 200: CurrentApiKey, ...adminErrors },
    metadata: routeMeta({ operationId: 'current-api-key', tag: TAGS.apiKeys, auth: 'bearer', scope: 'any-key' }),
  },
  revokeApiKey: {
    method: 'DELETE',
    path: '/api-keys/:id',
    pathParams: z.object({ id: ApiKeyId }),
    body: c.noBody(),
    summary: 'Revoke an API key: every server process refuses it within 5 seconds',
    responses: { 204: c.noBody(), 400: ErrorBody, 404: ErrorBody, ...adminErrors },
    metadata: routeMeta({ operationId: 'revoke-api-key', tag: TAGS.apiKeys, auth: 'bearer', scope: 'keys:manage' }),
  },
});
