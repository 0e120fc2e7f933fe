import { initClient } from '@ts-rest/core';
import {
  type Contract,
  type CreateApiKeyBody,
  type CreateWebhookBody,
  contract,
  type ListUsersQueryInput,
  METADATA_KINDS,
  type UserFilter,
  type UserMetadataPatch,
  type UserWithMetadata,
} from '@usermeta/contract';
import { UsermetaError } from './errors.js';
import { createFetcher } from './fetcher.js';
import { ReadAfterTracker } from './read-after.js';
import {
  type MetadataChange,
  type UpdateMetadataOptions,
  updateUserMetadata,
  type WithETag,
} from './update-metadata.js';

export type UsermetaClientOptions = {
  /** Where the service answers, e.g. `http://127.0.0.1:8001`. */
  baseUrl: string;
  /** An admin API key, sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** Per attempt; default 10 000 ms. */
  timeoutMs?: number;
  /**
   * Extra attempts for GET after a network error or 502/503/504, and for DELETE only when its
   * connection was refused (a DELETE that may have been applied is not sent again); default 2.
   */
  retries?: number;
  /** Base delay of the jittered backoff between attempts; default 100 ms. */
  retryDelayMs?: number;
  /** A fetch of your own (tests, proxies, instrumentation); default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /**
   * Read-your-writes with a server that has a read replica: keep the highest `Usermeta-Read-After`
   * token received and send it with every request (default true). Off: reads may come from a
   * replica that lags behind what this client was told.
   */
  readAfter?: boolean;
};

/**
 * An id as one path segment. An empty id would leave no segment at all (`/users/` + '' is the
 * listing), and `.` or `..` (also percent-encoded) are removed by URL normalisation with the
 * segment before: such an id is refused here instead of reaching another route.
 */
const path = (id: string) => {
  if (id === '' || id === '.' || id === '..') throw new RangeError(`an id must not be empty, "." or ".."`);
  return { id: encodeURIComponent(id) };
};

/** A setting that must be a number at least `min` (an integer when `integer`); else a RangeError naming it. */
function checked(name: string, value: number, min: number, integer: boolean): number {
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be ${integer ? 'an integer' : 'a number'} of at least ${min}, not ${value}`);
  }
  return value;
}

/** One page of GET /users: filters by kind (objects, matched by containment), page size, cursor. */
export type ListUsersOptions = { filter?: UserFilter; limit?: number; cursor?: string };

/** The query string of GET /users: each filter as JSON text, the limit as digits. */
function listUsersQuery(options: ListUsersOptions): ListUsersQueryInput {
  const query: ListUsersQueryInput = {};
  if (options.limit !== undefined) query.limit = String(options.limit);
  if (options.cursor !== undefined) query.cursor = options.cursor;
  for (const kind of METADATA_KINDS) {
    const filter = options.filter?.[kind];
    if (filter !== undefined) query[kind] = JSON.stringify(filter);
  }
  return query;
}
const withETag = <T extends { headers: Headers }>(result: T): WithETag<T> => ({
  ...result,
  etag: result.headers.get('etag') ?? undefined,
});

export type GetMetadataOptions = {
  /** An ETag you hold: when it is still current the answer is 304 with no body. */
  ifNoneMatch?: string;
};

export type PatchMetadataOptions = {
  /** Apply only if the metadata is still at this ETag (or `*`); otherwise 412 `metadata has changed`. */
  ifMatch?: string;
};
/** Query values go as strings; undefined ones are left out. */
function pageQuery(page: { limit?: number; cursor?: string }) {
  return {
    ...(page.limit === undefined ? {} : { limit: String(page.limit) }),
    ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
  };
}

/**
 * A typed client for the usermeta API. Every method resolves to the contract's
 * `{ status, body, headers }` union for its route, and rejects with a `UsermetaError`
 * when there is no answer or the answer is not one the contract declares.
 */
export function createUsermetaClient(options: UsermetaClientOptions) {
  const readAfter = options.readAfter === false ? undefined : new ReadAfterTracker();
  const raw = initClient(contract, {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    baseHeaders: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    api: createFetcher({
      timeoutMs: checked('timeoutMs', options.timeoutMs ?? 10_000, 1, false),
      retries: checked('retries', options.retries ?? 2, 0, true),
      retryDelayMs: checked('retryDelayMs', options.retryDelayMs ?? 100, 0, false),
      readAfter,
      // Called unbound: browsers refuse `fetch` on any `this` but the window ("Illegal invocation").
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    }),
    validateResponse: false,
    throwOnUnknownStatus: false,
  });

  const listUsers = (options: ListUsersOptions = {}) => raw.users.listUsers({ query: listUsersQuery(options) });

  /**
   * Every user the filter matches, newest first, fetching page after page (`limit` is the page
   * size). Rejects with a `UsermetaError` of kind `error_status` when a page is refused.
   */
  async function* users(options: Omit<ListUsersOptions, 'cursor'> = {}): AsyncGenerator<UserWithMetadata, void> {
    let cursor: string | undefined;
    do {
      const page = await listUsers({ ...options, ...(cursor === undefined ? {} : { cursor }) });
      if (page.status !== 200) {
        throw new UsermetaError('error_status', `GET /users answered ${page.status}: ${page.body.message}`, {
          status: page.status,
          body: page.body,
        });
      }
      yield* page.body.users;
      cursor = page.body.next_cursor;
    } while (cursor !== undefined);
  }
  const getUserMetadata = async (id: string, conditions: GetMetadataOptions = {}) =>
    withETag(
      await raw.metadata.getUserMetadata({
        params: path(id),
        extraHeaders: conditions.ifNoneMatch === undefined ? {} : { 'if-none-match': conditions.ifNoneMatch },
      }),
    );
  const patchUserMetadata = async (id: string, patch: UserMetadataPatch, conditions: PatchMetadataOptions = {}) =>
    withETag(
      await raw.metadata.patchUserMetadata({
        params: path(id),
        body: patch,
        extraHeaders: conditions.ifMatch === undefined ? {} : { 'if-match': conditions.ifMatch },
      }),
    );

  return {
    /** The raw ts-rest client, one function per contract route. */
    raw,
    /** The consistency token this client sends (the highest received), if any: to hand to another client. */
    readAfterToken: () => readAfter?.current(),
    listUsers,
    users,
    /** The metadata, with its `etag`. */
    getUserMetadata,
    /** A merge patch; with `ifMatch`, only if the metadata is still at that ETag. The answer has the new `etag`. */
    patchUserMetadata,
    /**
     * Read, change, write, without losing a concurrent update: reads the metadata, calls
     * `change(current)`, sends the merge patch from current to the result with `If-Match`,
     * and on 412 reads again and calls `change` again, up to `attempts` times in all.
     */
    updateUserMetadata: (id: string, change: MetadataChange, update: UpdateMetadataOptions = {}) =>
      updateUserMetadata({ getUserMetadata, patchUserMetadata }, id, change, {
        attempts: update.attempts ?? 5,
        retryDelayMs: update.retryDelayMs ?? options.retryDelayMs ?? 100,
      }),
    createUser: (input: { id?: string } = {}) => raw.users.createUser({ body: input }),
    getUser: (id: string) => raw.users.getUser({ params: path(id) }),
    deleteUser: (id: string) => raw.users.deleteUser({ params: path(id) }),
    /** Makes an API key; the answer's `key` is the only time the secret is shown. */
    createApiKey: (input: CreateApiKeyBody) => raw.apiKeys.createApiKey({ body: input }),
    listApiKeys: () => raw.apiKeys.listApiKeys(),
    /** Revokes a key: every server process refuses it within 5 seconds. */
    revokeApiKey: (id: string) => raw.apiKeys.revokeApiKey({ params: path(id) }),
    /** What the client's own key may do (name, scopes, kinds, expiry). */
    currentApiKey: () => raw.apiKeys.currentApiKey(),
    /** The user's metadata changes, newest first; pass `next_cursor` back as `cursor` for the next page. */
    getMetadataHistory: (id: string, page: { limit?: number; cursor?: string } = {}) =>
      raw.events.getMetadataHistory({ params: path(id), query: pageQuery(page) }),
    /** Adds an endpoint; the answer's `secret` is shown only this once. */
    createWebhook: (input: CreateWebhookBody) => raw.webhooks.createWebhook({ body: input }),
    listWebhooks: () => raw.webhooks.listWebhooks(),
    deleteWebhook: (id: string) => raw.webhooks.deleteWebhook({ params: path(id) }),
    listWebhookDeliveries: (id: string, page: { limit?: number } = {}) =>
      raw.webhooks.listDeliveries({ params: path(id), query: pageQuery(page) }),
    alive: () => raw.health.alive(),
    ready: () => raw.health.ready(),
  };
}

export type UsermetaClient = ReturnType<typeof createUsermetaClient>;
export type { Contract };
