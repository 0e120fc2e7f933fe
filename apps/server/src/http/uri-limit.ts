import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';

/** No route of the API needs a long URL; refusing early keeps matching and logging cheap. */
export const MAX_URL_LENGTH = 2048;

export function uriLimit(max = MAX_URL_LENGTH): RequestHandler {
  return (req, _res, next) => next(req.url.length > max ? HttpError.generic(414) : undefined);
}
