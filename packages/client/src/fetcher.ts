import { type ApiFetcher, type AppRoute, isAppRouteNoBody, isZodType } from '@ts-rest/core';
import { UsermetaError } from './errors.js';
import type { ReadAfterTracker } from './read-after.js';

export type FetcherOptions = {
  timeoutMs: number;
  retries: number;
  fetch: typeof globalThis.fetch;
  /** Base delay of the jittered exponential backoff between retries. */
  retryDelayMs: number;
  /** Sends the highest consistency token seen and keeps the ones answers carry; none: off. */
  readAfter?: ReadAfterTracker;
};

const RETRYABLE_STATUSES = [502, 503, 504];
const IDEMPOTENT = new Set(['GET', 'HEAD', 'DELETE', 'PUT']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Full jitter: a random delay up to base · 2^attempt. */
const backoff = (base: number, attempt: number) => Math.random() * base * 2 ** attempt;

/** fetch wraps the real reason (ECONNREFUSED, …) in a generic TypeError: show the inner one. */
function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  return cause.cause instanceof Error ? cause.cause.message : cause.message;
}

function retryableStatus(route: AppRoute, status: number): boolean {
  return RETRYABLE_STATUSES.includes(status) && !(status in route.responses);
}

async function readBody(route: AppRoute, response: Response): Promise<unknown> {
  const declared = route.responses[response.status];
  if (declared === undefined) {
    const text = await response.text().catch(() => '');
    throw new UsermetaError(
      'unexpected_status',
      `unexpected status ${response.status} from ${route.method} ${route.path}`,
      {
        status: response.status,
        body: text,
      },
    );
  }
  if (isAppRouteNoBody(declared)) {
    await response.body?.cancel();
    return undefined;
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw new UsermetaError('invalid_response', `response ${response.status} is not JSON`, {
      status: response.status,
      cause,
    });
  }
  if (isZodType(declared)) {
    const parsed = declared.safeParse(body);
    if (!parsed.success) {
      throw new UsermetaError('invalid_response', `response ${response.status} does not match the contract`, {
        status: response.status,
        body,
        cause: parsed.error,
      });
    }
    return parsed.data;
  }
  return body;
}

/**
 * The fetcher behind the ts-rest client: JSON bodies (a `null` body included), a timeout per
 * attempt, retries of idempotent requests on network errors and 502/503/504, and every
 * answer checked against the contract.
 */
export function createFetcher(options: FetcherOptions): ApiFetcher {
  return async ({ route, path, method, headers, rawBody }) => {
    const hasBody = method !== 'GET' && 'body' in route && !isAppRouteNoBody(route.body) && rawBody !== undefined;
    const init: RequestInit = {
      method,
      headers: {
        accept: 'application/json',
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
        ...options.readAfter?.headers(),
        ...headers,
      },
      ...(hasBody ? { body: JSON.stringify(rawBody) } : {}),
    };
    const attempts = IDEMPOTENT.has(method) ? options.retries + 1 : 1;
    for (let attempt = 0; ; attempt++) {
      const last = attempt + 1 >= attempts;
      let response: Response;
      try {
        response = await options.fetch(path, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
      } catch (cause) {
        if (!last) {
          await sleep(backoff(options.retryDelayMs, attempt));
          continue;
        }
        const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
        throw new UsermetaError(
          timedOut ? 'timeout' : 'network',
          timedOut
            ? `no answer within ${options.timeoutMs} ms from ${method} ${path}`
            : `request failed: ${method} ${path}: ${describe(cause)}`,
          { cause },
        );
      }
      if (!last && retryableStatus(route, response.status)) {
        await response.body?.cancel();
        await sleep(backoff(options.retryDelayMs, attempt));
        continue;
      }
      options.readAfter?.observe(response.headers);
      const body = await readBody(route, response);
      return { status: response.status, body, headers: response.headers };
    }
  };
}
