import type { AppRoute } from '@ts-rest/core';
import type { Request, Response } from 'express';
import type { Logger } from '../logger.js';
import { type Metrics, UNMATCHED_ROUTE } from '../operations/metrics.js';

/**
 * What happens when a request finishes: its access-log line (with its id; never headers, so no
 * key can reach the log) and its metrics (under the contract route the gate matched). One
 * listener, made once and shared by every request (`this` is the response), so that a request
 * costs one `finish` listener and no closure.
 *
 * The line is written by a child logger without the redaction paths: its five fields are fixed
 * here and none can hold a secret, and pino's redaction walked and copied its paths for every
 * line (the largest allocation per request in a heap profile, docs/benchmarks.md).
 */
export function finishHook(logger: Logger, metrics: Metrics): (req: Request, res: Response) => void {
  const access = logger.child({}, { redact: [] });
  function onFinish(this: Response): void {
    const ms = performance.now() - (this.locals.started as number);
    const route = (this.locals.route as AppRoute | undefined)?.path ?? UNMATCHED_ROUTE;
    metrics.observeRequest(route, this.req.method, this.statusCode, ms / 1000);
    if (!access.isLevelEnabled('info')) return;
    const line = {
      reqId: this.locals.requestId,
      method: this.req.method,
      path: this.req.path,
      status: this.statusCode,
      ms: Math.round(ms * 100) / 100,
    };
    if (this.statusCode >= 500) access.error(line, 'request');
    else access.info(line, 'request');
  }
  return (_req, res) => {
    res.locals.started = performance.now();
    res.on('finish', onFinish);
  };
}
