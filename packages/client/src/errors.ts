/** Why a call did not produce one of the contract's responses. */
export type UsermetaErrorKind =
  | 'network'
  | 'timeout'
  | 'unexpected_status'
  | 'invalid_response'
  /** A declared error answer where the method cannot resolve to it (the `users()` iterator). */
  | 'error_status';

/** Thrown by the client when the answer is not one the contract declares, or there is no answer. */
export class UsermetaError extends Error {
  constructor(
    readonly kind: UsermetaErrorKind,
    message: string,
    readonly details: { status?: number; body?: unknown; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = 'UsermetaError';
  }

  get status(): number | undefined {
    return this.details.status;
  }
}
