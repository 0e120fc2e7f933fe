import { initContract } from '@ts-rest/core';
import { apiKeysContract } from './api-keys.js';
import { eventsContract } from './events.js';
import { healthContract } from './health.js';
import { metadataContract } from './metadata.js';
import { operationsContract } from './operations.js';
import { usersContract } from './users.js';
import { webhooksContract } from './webhooks.js';

export {
  apiKeysContract,
  eventsContract,
  healthContract,
  metadataContract,
  operationsContract,
  usersContract,
  webhooksContract,
};

const c = initContract();

/**
 * The whole API: one router per domain (a file each), nested here.
 * `strictStatusCodes`: an undeclared status is a type error on both ends.
 */
export const contract = c.router(
  {
    metadata: metadataContract,
    users: usersContract,
    health: healthContract,
    apiKeys: apiKeysContract,
    events: eventsContract,
    webhooks: webhooksContract,
    operations: operationsContract,
  },
  { strictStatusCodes: true },
);
export type Contract = typeof contract;

/** The reason phrase of each status the API can answer, used as the generic error message. */
export const REASON_PHRASES = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
} as const satisfies Record<number, string>;
