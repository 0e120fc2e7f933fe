/**
 * A DIAGNOSTIC, not the product: bare Express 5 + pg answering GET /users/{id}/metadata with
 * one prepared query and res.json — no ts-rest, no validation, no auth, no logging. Measured
 * beside the real server and the node:http baseline (`pnpm bench --express-floor`), it shows
 * how much of the gap is Express itself. PATCH is not implemented (GET scenario only).
 *
 * Env: DATABASE_URL, PORT.
 */
import express from 'express';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => undefined);
const GET = {
  name: 'floor_get',
  text: `select m.public_metadata, m.private_metadata, m.unsafe_metadata
         from users u left join user_metadata m on m.user_id = u.id where u.id = $1`,
};

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get('/users/:id/metadata', async (req, res) => {
  const { rows } = await pool.query({ ...GET, values: [req.params.id] });
  if (!rows[0]) {
    res.status(404).json({ code: 404, message: 'user not found' });
    return;
  }
  res.json(rows[0]);
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().then(() => process.exit(0));
});
