import type { Express, Response } from 'express';

/**
 * res.json without what this API never uses (JSONP callbacks, replacer and spaces settings,
 * ETags, freshness checks, charset negotiation): stringify, set type and length, end. Express
 * lets an app extend its response prototype; ts-rest and the error handler answer through it.
 */
export function useLeanJson(app: Express): void {
  app.response.json = function leanJson(this: Response, body: unknown) {
    const text = JSON.stringify(body) ?? '';
    if (!this.hasHeader('Content-Type')) this.setHeader('Content-Type', 'application/json; charset=utf-8');
    this.setHeader('Content-Length', Buffer.byteLength(text));
    this.end(text);
    return this;
  };
}
