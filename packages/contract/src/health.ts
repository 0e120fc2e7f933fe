import { initContract } from '@ts-rest/core';
import { TAGS } from './common.js';
import { routeMeta } from './route-meta.js';
import { Alive, Ready } from './schemas.js';

const c = initContract();

export const healthContract = c.router({
  alive: {
    method: 'GET',
    path: '/health/alive',
    summary: 'Liveness: the process runs',
    responses: { 200: Alive },
    metadata: routeMeta({ operationId: 'health-alive', tag: TAGS.health, auth: 'public' }),
  },
  ready: {
    method: 'GET',
    path: '/health/ready',
    summary: 'Readiness: the database answers and the server is not shutting down',
    responses: { 200: Ready, 503: Ready },
    metadata: routeMeta({ operationId: 'health-ready', tag: TAGS.health, auth: 'public' }),
  },
});
