import type { AppRoute } from '@ts-rest/core';
import { type MetadataKind, SCOPES, type Scope } from '@usermeta/contract';
import type { Response } from 'express';

/**
 * Who made a request: the API key behind it, as far as the rest of the server may know it
 * (never the key itself). Change events name it as their `actor`.
 */
export type Principal = {
  /** The key's id; undefined for root keys (ADMIN_API_KEYS or the generated one). */
  id: string | undefined;
  name: string;
  scopes: ReadonlySet<Scope>;
  /** The metadata kinds the key may see and change; undefined = all three. */
  kinds: readonly MetadataKind[] | undefined;
  /** When the key expires, as it was when the request was authenticated; undefined = never. */
  expiresAt: Date | undefined;
};

/** A root key: every scope, every kind. */
export const ROOT_PRINCIPAL: Principal = Object.freeze({
  id: undefined,
  name: 'root',
  scopes: new Set(SCOPES),
  kinds: undefined,
  expiresAt: undefined,
});

/** What the gate leaves on `res.locals` for the handlers of an authenticated request. */
declare global {
  namespace Express {
    interface Locals {
      requestId: string;
      /** The contract route the request matched (undefined for routes outside the contract). */
      route: AppRoute | undefined;
      /** The matched route's path parameters, decoded (checked against its schema when it is a contract route). */
      params: Record<string, string>;
      /** Set for every request that passed authentication; unset on public routes. */
      principal: Principal | undefined;
    }
  }
}

/** The principal of an authenticated request; throws when the gate did not authenticate it (a bug). */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal;
  if (!principal) throw new Error('no principal: the route was not authenticated');
  return principal;
}
