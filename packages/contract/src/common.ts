import { ErrorBody } from './schemas.js';

/** Every admin route can answer these (403: the key lacks the route's scope). */
export const adminErrors = { 401: ErrorBody, 403: ErrorBody, 500: ErrorBody } as const;
/** Every route with a request body can answer these too. */
export const bodyErrors = { 413: ErrorBody, 415: ErrorBody } as const;

export const TAGS = {
  metadata: 'User Metadata Management',
  users: 'User Management',
  health: 'Health',
  apiKeys: 'API Keys',
  webhooks: 'Webhooks',
  operations: 'Operations',
} as const;
