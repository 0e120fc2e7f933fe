import { initServer } from '@ts-rest/express';
import { contract } from '@usermeta/contract';
import type { Implementation } from '../http/implementation.js';
import type { Metrics } from './metrics.js';

const s = initServer();

export function operationsRoutes(metrics: Metrics): Implementation<typeof contract.operations> {
  return s.router(contract.operations, {
    metrics: async () => ({ status: 200, body: await metrics.text() }),
  });
}
