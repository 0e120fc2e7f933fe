/** Exit codes by class of outcome, so scripts can branch without parsing stderr. */
export const EXIT = {
  ok: 0,
  /** The server failed (5xx) or answered something the contract does not allow. */
  serverError: 1,
  /** Bad command line: unknown command or option, missing argument, unreadable JSON input. */
  usage: 2,
  /** 401: no key, or a wrong one. */
  unauthorized: 3,
  /** 404: no such user. */
  notFound: 4,
  /** 409: the user exists already. */
  conflict: 5,
  /** 400, 413, 414, 415, 431: the server refused the input. */
  invalidInput: 6,
  /** No answer: connection refused, DNS, timeout. */
  unreachable: 7,
  /** 403: a valid key without the scope (or the metadata kind) this needs. */
  forbidden: 8,
  /** 412: the metadata changed since it was read (an If-Match write was refused). */
  changed: 9,
} as const;

export function exitCodeForStatus(status: number): number {
  if (status < 300) return EXIT.ok;
  if (status === 401) return EXIT.unauthorized;
  if (status === 403) return EXIT.forbidden;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  if (status === 412) return EXIT.changed;
  if (status === 400 || status === 413 || status === 414 || status === 415 || status === 431) return EXIT.invalidInput;
  return EXIT.serverError;
}
