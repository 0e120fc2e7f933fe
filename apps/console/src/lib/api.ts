import { createUsermetaClient, type UsermetaClient, UsermetaError } from '@usermeta/client';

export type { UsermetaClient };

/** An answer of the API that is not the one wanted, with the API's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Answer = { status: number; body: unknown };

function messageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('message' in body)) return undefined;
  return typeof body.message === 'string' ? body.message : undefined;
}

/**
 * Narrows a client answer to the wanted statuses; any other answer becomes an ApiError
 * carrying the API's message (`{code, message}` bodies), so the page can show it as is.
 */
export function expectStatus<R extends Answer, S extends R['status']>(
  result: R,
  ...wanted: S[]
): Extract<R, { status: S }> {
  if ((wanted as number[]).includes(result.status)) return result as Extract<R, { status: S }>;
  throw new ApiError(result.status, messageOf(result.body) ?? `unexpected answer ${result.status}`);
}

/** What to show a person for any failure: the API's message, or why there was no answer. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof UsermetaError) {
    if (error.kind === 'network') return 'The server could not be reached.';
    if (error.kind === 'timeout') return 'The server did not answer in time.';
    return messageOf(error.details.body) ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export function isUnauthorized(error: unknown): boolean {
  return (error instanceof ApiError || error instanceof UsermetaError) && error.status === 401;
}

/** The typed client for this origin: the console is served by the API's own server. */
export function clientFor(apiKey: string): UsermetaClient {
  return createUsermetaClient({ baseUrl: window.location.origin, apiKey, retries: 1 });
}
