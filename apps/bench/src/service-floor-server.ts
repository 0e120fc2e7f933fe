/**
 * THE SAME-WORK FLOOR (`--service-floor`), not the product: bare Express 5 around the server's
 * own data layer — its database pool with the same settings, and its MetadataService: the same
 * read, RFC 7386 merge, limits, compare-and-set write and change event — with none of its HTTP
 * layer (no ts-rest, no zod, no request id, no security headers, no ETag, no access log, no
 * metrics). The other two floors skip the database work that api.md requires (their PATCH is
 * one shallow upsert without an event); beside the server, this one shows what the server's own
 * HTTP layer costs per request once the database work is the same.
 *
 * Env: DATABASE_URL, PORT, API_KEY.
 */
import { createLogger, Database, loadConfig, MetadataService } from '@usermeta/server';
import express, { type Response } from 'express';
import { bareExpress, refusedId, serveFloor } from './floor-express.js';

// The server's own pool settings (size, timeouts, named statements), from its defaults.
const config = loadConfig({ DATABASE_URL: process.env.DATABASE_URL, ADMIN_API_KEYS: process.env.API_KEY });
const database = new Database({
  connectionString: process.env.DATABASE_URL ?? '',
  logger: createLogger('silent'),
  ...config.db,
});
const service = new MetadataService(database.pool);
type Patch = Parameters<MetadataService['patch']>[1];

function answer(res: Response, metadata: object | undefined): void {
  if (metadata) res.json(metadata);
  else res.status(204).end();
}

const app = bareExpress(process.env.API_KEY);
app.get('/users/:id/metadata', async (req, res) => {
  if (refusedId(req.params.id, res)) return;
  const result = await service.get(req.params.id);
  if (result.kind === 'user_not_found') res.status(404).json({ code: 404, message: 'user not found' });
  else answer(res, result.metadata);
});
app.patch(
  '/users/:id/metadata',
  express.json({ type: ['application/json', 'application/merge-patch+json'] }),
  async (req, res) => {
    if (refusedId(req.params.id, res)) return;
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      res.status(400).json({ code: 400, message: 'invalid request' });
      return;
    }
    const result = await service.patch(req.params.id, body as Patch);
    if (result.kind === 'ok') answer(res, result.metadata);
    else if (result.kind === 'user_not_found') res.status(404).json({ code: 404, message: 'user not found' });
    else if (result.kind === 'invalid') res.status(400).json({ code: 400, message: result.message });
    else res.status(412).json({ code: 412, message: 'metadata has changed' });
  },
);
serveFloor(app, () => database.close());
