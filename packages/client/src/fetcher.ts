import { type ApiFetcher, type AppRoute, isAppRouteNoBody, isAppRouteOtherResponse, isZodType } from '@ts-rest/core';
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
/** Sent again after a failure: the same request gives the same answer. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT']);

/**
 * Whether an attempt that failed may be sent again. A DELETE is sent again only when its
 * connection was refused (it never reached the server): a DELETE that was applied and then
 * sent again would answer 404, and turn a success into "not found".
 */
function mayRetry(method: string, cause: unknown): boolean {
  if (IDEMPOTENT.has(method)) return true;
  return method === 'DELETE' && connectionRefused(cause);
}

function connectionRefused(cause: unknown): boolean {
  const inner = cause instanceof Error ? cause.cause : undefined;
  return (inner as { code?: string } | undefined)?.code === 'ECONNREFUSED';
}

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

/** An error answer in the API's `{code, message}` form, or undefined. */
function errorBodyOf(text: string): { code: number; message: string } | undefined {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body !== 'object' || body === null) return undefined;
    const { code, message } = body as Record<string, unknown>;
    return typeof code === 'number' && typeof message === 'string' ? { code, message } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The answer's body, read whole, inside the attempt: a timeout or a reset while it arrives is a
 * failed attempt like one before the headers. Undefined for a declared answer without a body.
 */
async function readText(route: AppRoute, response: Response): Promise<string | undefined> {
  const declared = route.responses[response.status];
  if (declared !== undefined && isAppRouteNoBody(declared)) {
    await response.body?.cancel();
    return undefined;
  }
  return response.text();
}

/** The body of an answer read by readText, checked against what the contract declares for its status. */
function parseBody(route: AppRoute, response: Response, text: string | undefined): unknown {
  const declared = route.responses[response.status];
  if (declared === undefined) {
    // Not in the contract (405, 414, 431 …): still the server's {code, message} when it is one.
    const error = text === undefined ? undefined : errorBodyOf(text);
    throw new UsermetaError(
      'unexpected_status',
      `unexpected status ${response.status} from ${route.method} ${route.path}${error ? `: ${error.message}` : ''}`,
      { status: response.status, body: error ?? text ?? '' },
    );
  }
  if (text === undefined) return undefined;
  if (isAppRouteOtherResponse(declared) && !declared.contentType.includes('json')) {
    // Text answers (the Prometheus metrics) are returned as text.
    const schema = declared.body;
    return isZodType(schema) ? schema.parse(text) : text;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
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
 * attempt (the whole answer, body included), retries of GET, HEAD and PUT on network errors
 * and 502/503/504 (of DELETE only when its connection was refused), and every answer checked
 * against the contract.
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
    const attempts = IDEMPOTENT.has(method) || method === 'DELETE' ? options.retries + 1 : 1;
    for (let attempt = 0; ; attempt++) {
      const last = attempt + 1 >= attempts;
      let response: Response;
      let text: string | undefined;
      try {
        response = await options.fetch(path, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
        if (!last && IDEMPOTENT.has(method) && retryableStatus(route, response.status)) {
          await response.body?.cancel();
          await sleep(backoff(options.retryDelayMs, attempt));
          continue;
        }
        text = await readText(route, response);
      } catch (cause) {
        if (!last && mayRetry(method, cause)) {
          await sleep(backoff(options.retryDelayMs, attempt));
          continue;
        }
        const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
        throw new UsermetaError(
          timedOut ? 'timeout' : 'network',
          timedOut
            ? `no complete answer within ${options.timeoutMs} ms from ${method} ${path}`
            : `request failed: ${method} ${path}: ${describe(cause)}`,
          { cause },
        );
      }
      options.readAfter?.observe(response.headers);
      const body = parseBody(route, response, text);
      return { status: response.status, body, headers: response.headers };
    }
  };
}
