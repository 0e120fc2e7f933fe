/**
 * THE EXPRESS FLOOR, not the product: bare Express 5 + pg answering GET and PATCH
 * /users/{id}/metadata with the least work the real server must also do — a bearer check, a
 * uuid check, one prepared statement, a JSON answer — and nothing else (no ts-rest, no zod, no
 * request id, no access log, no security headers). It is a labelled target of the default
 * benchmark beside the node:http baseline: the real server is Express 5 too, so this floor is
 * what its own per-request work is measured against. The SQL, and so the PATCH's shallow `||`
 * merge, is the baseline's (baseline-server.ts), not RFC 7386.
 *
 * Env: DATABASE_URL, PORT, API_KEY.
 */
import express, { type Response } from 'express';
import pg from 'pg';
import { bareExpress, refusedId, serveFloor } from './floor-express.js';
import { GET_QUERY, KINDS, PATCH_QUERY } from './floor-queries.js';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => undefined);

function answer(res: Response, row: Record<string, unknown> | undefined): void {
  if (!row) {
    res.status(404).json({ code: 404, message: 'user not found' });
    return;
  }
  const out: Record<string, unknown> = {};
  for (const kind of KINDS) {
    const value = row[kind];
    if (value && typeof value === 'object' && Object.keys(value).length > 0) out[kind] = value;
  }
  if (Object.keys(out).length === 0) res.status(204).end();
  else res.json(out);
}

const app = bareExpress(process.env.API_KEY);
app.get('/users/:id/metadata', async (req, res) => {
  if (refusedId(req.params.id, res)) return;
  const { rows } = await pool.query({ ...GET_QUERY, values: [req.params.id] });
  answer(res, rows[0]);
});
app.patch('/users/:id/metadata', express.json(), async (req, res) => {
  if (refusedId(req.params.id, res)) return;
  const patch = (req.body ?? {}) as Record<string, unknown>;
  const values = KINDS.map((kind) => (patch[kind] ? JSON.stringify(patch[kind]) : null));
  const { rows } = await pool.query({ ...PATCH_QUERY, values: [req.params.id, ...values] });
  answer(res, rows[0]);
});
serveFloor(app, () => pool.end());
