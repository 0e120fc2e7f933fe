import { type ErrorBody, REASON_PHRASES } from '@usermeta/contract';
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../logger.js';

/** An error with a status and a message the client may see. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** The generic error for a status: its reason phrase as the message. */
  static generic(status: keyof typeof REASON_PHRASES, headers?: Record<string, string>): HttpError {
    return new HttpError(status, REASON_PHRASES[status], headers);
  }
}

/** The client went away before its body arrived: its doing, answered with nothing. */
export class ClientGoneError extends Error {
  constructor(cause: unknown) {
    super('client closed the connection before sending the whole body', { cause });
    this.name = 'ClientGoneError';
  }
}

export function errorBody(status: number, message: string): ErrorBody {
  return { code: status, message };
}

export function sendError(res: Response, error: HttpError): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.status(error.status).json(errorBody(error.status, error.message));
}

/**
 * The one error middleware: known errors as their `{code, message}`, anything else
 * logged with the request id and answered with a generic 500.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      logger.error({ err, reqId: res.locals.requestId }, 'error after the response started');
      res.destroy();
      return;
    }
    if (err instanceof HttpError) {
      sendError(res, err);
      return;
    }
    if (err instanceof ClientGoneError) {
      // The client's doing, not the server's: nobody is listening for an answer.
      logger.info({ reqId: res.locals.requestId, method: req.method, path: req.path }, err.message);
      res.destroy();
      return;
    }
    logger.error({ err, reqId: res.locals.requestId, method: req.method, path: req.path }, 'unexpected error');
    sendError(res, HttpError.generic(500));
  };
}
