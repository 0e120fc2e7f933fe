import type { Request, Response } from 'express';
import type { Logger } from '../logger.js';

/** One line per request when it finishes, with its id; never headers, so no key can reach the log. */
export function logWhenFinished(logger: Logger, req: Request, res: Response): void {
  if (!logger.isLevelEnabled('info')) return;
  const started = performance.now();
  res.once('finish', () => {
    const line = {
      reqId: res.locals.requestId,
      method: req.method,
      path: req.path,
      status: res.statusCode,
      ms: Math.round((performance.now() - started) * 100) / 100,
    };
    if (res.statusCode >= 500) logger.error(line, 'request');
    else logger.info(line, 'request');
  });
}
