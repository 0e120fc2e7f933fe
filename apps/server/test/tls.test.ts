import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Postgres15, startPostgres15 } from './infra/postgres15.js';
import { type Certificates, makeCertificates } from './infra/tls.js';
import { spawnServer, startServerProcess } from './server-process.js';

const KEY = randomBytes(24).toString('base64url');

describe('TLS to PostgreSQL (a PostgreSQL 15 with a certificate from a private CA)', () => {
  let certificates: Certificates | undefined;
  let database: Postgres15 | undefined;
  const db = () => {
    if (!database || !certificates) throw new Error('not started');
    return { database, certificates };
  };
  /** DATABASE_URL for `host` with the given query string. */
  const urlFor = (host: string, query: string) => {
    const url = new URL(db().database.url);
    url.hostname = host;
    return `${url.toString()}?${query}`;
  };

  beforeAll(async () => {
    certificates = await makeCertificates();
    database = await startPostgres15({
      settings: { ssl: 'on', ssl_cert_file: certificates.certFile, ssl_key_file: certificates.keyFile },
    });
  });

  afterAll(async () => {
    await database?.stop();
    await certificates?.remove();
  });

  it('when the URL asks for verify-full with the right CA, then the server starts and its connections are encrypted', async () => {
    const server = await startServerProcess({
      DATABASE_URL: urlFor('localhost', `sslmode=verify-full&sslrootcert=${db().certificates.caFile}`),
      ADMIN_API_KEYS: KEY,
    });
    try {
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
      const { rows } = await db().database.sql(
        "select bool_and(s.ssl) as all_ssl, count(*)::int as n from pg_stat_ssl s join pg_stat_activity a using (pid) where a.application_name = 'usermeta'",
      );
      expect(rows[0]).toMatchObject({ all_ssl: true });
      expect(rows[0]?.n).toBeGreaterThan(0);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('when the URL asks for encryption only (uselibpqcompat=true&sslmode=require), then it connects without verifying', async () => {
    const server = await startServerProcess({
      DATABASE_URL: urlFor('127.0.0.1', 'uselibpqcompat=true&sslmode=require'),
      ADMIN_API_KEYS: KEY,
    });
    try {
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  for (const [what, host, ca] of [
    ['a CA that did not sign the certificate', 'localhost', 'otherCaFile'],
    ['a host the certificate does not name', '127.0.0.1', 'caFile'],
  ] as const) {
    it(`when the URL asks for verify-full with ${what}, then start-up fails with a clear message, no stack trace and no password`, async () => {
      const server = spawnServer({
        DATABASE_URL: urlFor(host, `sslmode=verify-full&sslrootcert=${db().certificates[ca]}`),
        ADMIN_API_KEYS: KEY,
        DB_CONNECT_TIMEOUT_MS: '2000',
      });
      expect(await server.exited).toBe(1);
      const output = server.output();
      expect(output).toMatch(/cannot connect to the database/);
      expect(output).toMatch(/certificate/i);
      expect(output).not.toMatch(/\n\s+at /);
      expect(output).not.toContain(db().database.password);
      expect(output).not.toContain(KEY);
    });
  }
});
