import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';

const VISIBLE_ASCII = /^[\x21-\x7e]{1,200}$/;

/** X-Request-Id: the caller's when it is 1–200 visible ASCII characters, else a new one. */
export function assignRequestId(req: Request, res: Response): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && VISIBLE_ASCII.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  return id;
}
