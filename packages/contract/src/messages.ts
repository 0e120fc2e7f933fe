/** The stable error messages of the API (docs/api.md). Clients may match on them. */
export const MESSAGES = {
  invalidUserId: 'invalid user id',
  userNotFound: 'user not found',
  userAlreadyExists: 'user already exists',
  emptyBody: 'request body must not be empty',
  invalidJson: 'invalid json',
  nestingTooDeep: 'metadata nesting too deep',
  invalidCharacters: 'metadata must not contain NUL characters or unpaired surrogates',
  limitExceededPrefix: 'metadata limit exceeded: ',
  invalidLimit: 'invalid limit',
  invalidCursor: 'invalid cursor',
  /** Followed by the parameter's name. */
  unknownQueryParameterPrefix: 'unknown query parameter: ',
  /** After the kind's name: `public_metadata filter must be a JSON object`. */
  filterMustBeObjectSuffix: ' filter must be a JSON object',
  unknownScopePrefix: 'unknown scope: ',
  invalidScopes: 'invalid scopes',
  invalidKinds: 'invalid kinds',
  invalidName: 'invalid name',
  invalidExpiresAt: 'invalid expires_at',
  invalidApiKeyId: 'invalid api key id',
  apiKeyNotFound: 'api key not found',
  metadataChanged: 'metadata has changed',
} as const;
