import { initServer } from '@ts-rest/express';
import { contract } from '@usermeta/contract';
import type { Implementation } from '../http/implementation.js';

const s = initServer();

export type Readiness = {
  /** True once shutdown began: the load balancer should stop sending traffic. */
  isDraining(): boolean;
  /** True when the database answers. */
  databaseAnswers(): Promise<boolean>;
};

export function healthRoutes(readiness: Readiness): Implementation<typeof contract.health> {
  return s.router(contract.health, {
    alive: async () => ({ status: 200, body: { alive: true } }),
    ready: async () => {
      const ready = !readiness.isDraining() && (await readiness.databaseAnswers());
      return ready ? { status: 200, body: { ready: true } } : { status: 503, body: { ready: false } };
    },
  });
}
