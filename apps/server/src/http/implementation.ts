import type { AppRoute, AppRouter } from '@ts-rest/core';
import type { AppRouteImplementation } from '@ts-rest/express';

/** The handlers of one contract router, typed from the contract (ts-rest does not export this type). */
export type Implementation<T extends AppRouter> = {
  [K in keyof T]: T[K] extends AppRoute ? AppRouteImplementation<T[K]> : never;
};
