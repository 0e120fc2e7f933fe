/**
 * THE BASELINE, not the product: a deliberately minimal node:http + pg server answering
 * GET and PATCH /users/{id}/metadata with the same wire format, to show the floor that Node
 * and PostgreSQL allow on this machine. No framework, no validation beyond the id, one
 * prepared statement per route. Its PATCH is a shallow jsonb `||` merge in one statement,
 * not RFC 7386 (nested objects are replaced), so it does less work than the real thing.
 *
 * Env: DATABASE_URL, PORT, API_KEY.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';
import { GET_QUERY, KINDS, PATCH_QUERY } from './floor-queries.js';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => undefined);
const expectedAuth = `Bearer ${process.env.API_KEY}`;
const PATH = /^\/users\/([0-9a-fA-F-]{36})\/metadata$/;

function send(res: ServerResponse, status: number, body?: string): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

function metadataBody(row: Record<string, unknown>): string | undefined {
  const out: Record<string, unknown> = {};
  for (const kind of KINDS) {
    const value = row[kind];
    if (value && typeof value === 'object' && Object.keys(value).length > 0) out[kind] = value;
  }
  return Object.keys(out).length ? JSON.stringify(out) : undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.headers.authorization !== expectedAuth) return send(res, 401, '{"code":401,"message":"Unauthorized"}');
  const id = PATH.exec(req.url ?? '')?.[1];
  if (!id) return send(res, 404, '{"code":404,"message":"Not Found"}');
  if (req.method === 'GET') {
    const { rows } = await pool.query({ ...GET_QUERY, values: [id] });
    if (!rows[0]) return send(res, 404, '{"code":404,"message":"user not found"}');
    const body = metadataBody(rows[0]);
    return body ? send(res, 200, body) : send(res, 204);
  }
  if (req.method === 'PATCH') {
    const patch = JSON.parse(await readBody(req)) as Record<string, unknown>;
    const values = KINDS.map((kind) => (patch[kind] ? JSON.stringify(patch[kind]) : null));
    const { rows } = await pool.query({ ...PATCH_QUERY, values: [id, ...values] });
    const body = rows[0] ? metadataBody(rows[0]) : undefined;
    return body ? send(res, 200, body) : send(res, 204);
  }
  send(res, 405, '{"code":405,"message":"Method Not Allowed"}');
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => send(res, 500, '{"code":500,"message":"Internal Server Error"}'));
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`baseline listening ${typeof address === 'object' && address ? address.port : ''}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().then(() => process.exit(0));
});
