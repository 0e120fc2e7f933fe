import express, { type Express, type Response } from 'express';

/** A user id as the floors check it: a uuid, nothing more. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A bare Express 5 app for a floor: no `x-powered-by`, no ETags, and the bearer check first. */
export function bareExpress(apiKey: string | undefined): Express {
  const expectedAuth = `Bearer ${apiKey}`;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    if (req.headers.authorization !== expectedAuth) {
      res.status(401).json({ code: 401, message: 'Unauthorized' });
      return;
    }
    next();
  });
  return app;
}

/** Answers 400 when `id` is not a uuid; true when it did. */
export function refusedId(id: string, res: Response): boolean {
  if (UUID.test(id)) return false;
  res.status(400).json({ code: 400, message: 'invalid user id' });
  return true;
}

/** Listens on PORT at 127.0.0.1; on SIGTERM stops, runs `close` (the pool) and exits. */
export function serveFloor(app: Express, close: () => Promise<void>): void {
  const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void close().then(() => process.exit(0));
  });
}
