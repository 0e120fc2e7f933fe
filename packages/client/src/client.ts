import { initClient } from '@ts-rest/core';
import { type Contract, contract, type UserMetadataPatch } from '@usermeta/contract';
import { createFetcher } from './fetcher.js';

export type UsermetaClientOptions = {
  /** Where the service answers, e.g. `http://127.0.0.1:8001`. */
  baseUrl: string;
  /** An admin API key, sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** Per attempt; default 10 000 ms. */
  timeoutMs?: number;
  /** Extra attempts for idempotent requests (GET, DELETE) after a network error or 502/503/504; default 2. */
  retries?: number;
  /** Base delay of the jittered backoff between attempts; default 100 ms. */
  retryDelayMs?: number;
  /** A fetch of your own (tests, proxies, instrumentation); default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
};

const path = (id: string) => ({ id: encodeURIComponent(id) });

/**
 * A typed client for the usermeta API. Every method resolves to the contract's
 * `{ status, body, headers }` union for its route, and rejects with a `UsermetaError`
 * when there is no answer or the answer is not one the contract declares.
 */
export function createUsermetaClient(options: UsermetaClientOptions) {
  const raw = initClient(contract, {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    baseHeaders: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    api: createFetcher({
      timeoutMs: options.timeoutMs ?? 10_000,
      retries: options.retries ?? 2,
      retryDelayMs: options.retryDelayMs ?? 100,
      // Called unbound: browsers refuse `fetch` on any `this` but the window ("Illegal invocation").
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    }),
    validateResponse: false,
    throwOnUnknownStatus: false,
  });

  return {
    /** The raw ts-rest client, one function per contract route. */
    raw,
    getUserMetadata: (id: string) => raw.metadata.getUserMetadata({ params: path(id) }),
    patchUserMetadata: (id: string, patch: UserMetadataPatch) =>
      raw.metadata.patchUserMetadata({ params: path(id), body: patch }),
    createUser: (input: { id?: string } = {}) => raw.users.createUser({ body: input }),
    getUser: (id: string) => raw.users.getUser({ params: path(id) }),
    deleteUser: (id: string) => raw.users.deleteUser({ params: path(id) }),
    alive: () => raw.health.alive(),
    ready: () => raw.health.ready(),
  };
}

export type UsermetaClient = ReturnType<typeof createUsermetaClient>;
export type { Contract };
