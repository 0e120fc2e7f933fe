import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { adminErrors, TAGS } from './common.js';
import { routeMeta } from './route-meta.js';

const c = initContract();

/** The Prometheus text exposition format, version 0.0.4. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export const operationsContract = c.router({
  metrics: {
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics: requests by route template, database pools, the process',
    responses: { 200: c.otherResponse({ contentType: METRICS_CONTENT_TYPE, body: z.string() }), ...adminErrors },
    metadata: routeMeta({ operationId: 'get-metrics', tag: TAGS.operations, auth: 'bearer', scope: 'metrics:read' }),
  },
});
