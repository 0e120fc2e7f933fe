import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUsermetaClient } from '@usermeta/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseEnv } from './helpers.js';
import { startServerProcess } from './server-process.js';

const API_KEY = `tracing-test-key-${randomBytes(12).toString('hex')}`;

type AnyValue = { stringValue?: string; intValue?: number | string; boolValue?: boolean };
type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: AnyValue }>;
  status?: { code?: number };
};
type OtlpRequest = {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: AnyValue }> };
    scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }>;
  }>;
};

/** OTLP's span kinds (trace.proto). */
const SERVER = 2;
const CLIENT = 3;

/** A local OTLP/HTTP collector: takes `POST /v1/traces` in the JSON encoding and keeps each body as sent. */
async function startCollector(): Promise<{
  url: string;
  bodies: string[];
  contentTypes: Set<string | undefined>;
  close(): Promise<void>;
}> {
  const bodies: string[] = [];
  const contentTypes = new Set<string | undefined>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') return res.writeHead(404).end();
      contentTypes.add(req.headers['content-type']);
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    contentTypes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A preload (`--import`) that records every module the process resolves, ESM or CommonJS, through
 * Node's own module hooks, and prints the OpenTelemetry ones (and the total) when it exits.
 */
async function moduleRecorder(): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'usermeta-modules-')), 'record-modules.mjs');
  await writeFile(
    file,
    `import { registerHooks } from 'node:module';
import { writeSync } from 'node:fs';
const seen = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    seen.add(resolved.url);
    return resolved;
  },
});
process.on('exit', () => {
  const otel = [...seen].filter((url) => url.includes('/@opentelemetry/'));
  writeSync(2, 'modules-loaded ' + JSON.stringify({ total: seen.size, otel }) + '\\n');
});
`,
  );
  return file;
}

/** Stops the server with SIGTERM and returns what the recorder printed at exit. */
async function stopAndReadModules(server: Awaited<ReturnType<typeof startServerProcess>>) {
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  const match = /modules-loaded (.*)/.exec(server.output());
  expect(match, server.output()).not.toBeNull();
  return JSON.parse(match?.[1] ?? '{}') as { total: number; otel: string[] };
}

const packagesOf = (urls: string[]) => new Set(urls.map((url) => /\/@opentelemetry\/([^/]+)\//.exec(url)?.[1]));

function attribute(span: OtlpSpan, key: string): string | number | boolean | undefined {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  if (!value) return undefined;
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue;
}

describe('OpenTelemetry traces', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let recorder: string;
  beforeAll(async () => {
    collector = await startCollector();
    recorder = await moduleRecorder();
  });
  afterAll(() => collector?.close());

  const env = (extra: Record<string, string>) => ({
    DATABASE_URL: inject('databaseUrl'),
    ...databaseEnv(),
    ADMIN_API_KEYS: API_KEY,
    NODE_OPTIONS: `--import=${recorder}`,
    ...extra,
  });

  it('when OTEL_EXPORTER_OTLP_ENDPOINT is set, then each request is a server span named by its route template, with its database calls as children, and no secret or id in the payload', async () => {
    const server = await startServerProcess(
      env({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'usermeta-tracing-test' }),
    );
    expect(server.output()).toMatch(/"msg":"tracing on"/);
    const client = createUsermetaClient({ baseUrl: server.url, apiKey: API_KEY, retries: 0 });
    const created = await client.createUser();
    if (created.status !== 201) throw new Error(`user not created: ${created.status}`);
    const userId = created.body.id;
    expect((await client.patchUserMetadata(userId, { public_metadata: { plan: 'gold' } })).status).toBe(200);
    expect((await client.getUserMetadata(userId)).status).toBe(200);
    const missing = randomUUID();
    expect((await client.getUserMetadata(missing)).status).toBe(404);
    const stray = randomUUID();
    const unmatched = await fetch(`${server.url}/no/such/${stray}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(unmatched.status).toBe(404);
    // A caller that is itself traced: the server span joins its trace.
    const callerTrace = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const joined = await fetch(`${server.url}/users/${userId}/metadata`, {
      headers: { authorization: `Bearer ${API_KEY}`, traceparent: `00-${callerTrace}-${callerSpan}-01` },
    });
    expect(joined.status).toBe(200);

    // The batch is sent on shutdown at the latest: the lifecycle flushes it.
    const modules = await stopAndReadModules(server);
    expect(packagesOf(modules.otel)).toContain('sdk-trace');
    expect(packagesOf(modules.otel)).toContain('exporter-trace-otlp-http');

    expect(collector.bodies.length).toBeGreaterThan(0);
    expect(collector.contentTypes).toEqual(new Set(['application/json']));
    const payload = collector.bodies.join('\n');
    // No key, no password, no id of a path anywhere in what was sent.
    expect(payload).not.toContain(API_KEY);
    const password = decodeURIComponent(new URL(inject('databaseUrl')).password);
    if (password) expect(payload).not.toContain(password);
    for (const id of [userId, missing, stray]) expect(payload).not.toContain(id);

    const requests = collector.bodies.map((body) => JSON.parse(body) as OtlpRequest);
    const resources = requests.flatMap((r) => r.resourceSpans);
    const serviceNames = new Set(
      resources.map((r) => r.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue),
    );
    expect(serviceNames).toEqual(new Set(['usermeta-tracing-test']));
    const spans = resources.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    const serverSpans = spans.filter((span) => span.kind === SERVER);
    const named = (name: string, status: number) =>
      serverSpans.filter((span) => span.name === name && attribute(span, 'http.response.status_code') === status);

    expect(named('POST /users', 201)).toHaveLength(1);
    expect(named('PATCH /users/:id/metadata', 200)).toHaveLength(1);
    expect(named('GET /users/:id/metadata', 200)).toHaveLength(2);
    expect(named('GET /users/:id/metadata', 404)).toHaveLength(1);
    // A path that matched no route keeps the bare method: raw paths never become names.
    const unmatchedSpan = named('GET', 404);
    expect(unmatchedSpan).toHaveLength(1);
    expect(attribute(unmatchedSpan[0] as OtlpSpan, 'http.route')).toBeUndefined();

    for (const span of serverSpans.filter((s) => s.name !== 'GET')) {
      expect(attribute(span, 'http.route')).toBe(span.name.split(' ')[1]);
      expect(attribute(span, 'http.request.method')).toBe(span.name.split(' ')[0]);
      expect(attribute(span, 'usermeta.request_id')).toEqual(expect.any(String));
    }

    const joinedSpan = named('GET /users/:id/metadata', 200).find((span) => span.traceId === callerTrace);
    expect(joinedSpan?.parentSpanId).toBe(callerSpan);

    // Every request that reads or writes has its statements as children, in its trace.
    for (const parent of [
      ...named('POST /users', 201),
      ...named('PATCH /users/:id/metadata', 200),
      ...named('GET /users/:id/metadata', 200),
    ]) {
      const children = spans.filter((span) => span.parentSpanId === parent.spanId);
      const statements = children.filter((span) => attribute(span, 'db.system.name') === 'postgresql');
      expect(statements.length, parent.name).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(statement.kind).toBe(CLIENT);
        expect(statement.traceId).toBe(parent.traceId);
        expect(attribute(statement, 'db.query.text')).toEqual(expect.any(String));
        expect(statement.name).toMatch(/^[A-Z]+ \w+$/);
      }
    }
    // The statements carry placeholders, never the values bound to them.
    const reads = spans.filter(
      (span) =>
        String(attribute(span, 'db.query.text')).includes('user_metadata') &&
        attribute(span, 'db.operation.name') === 'SELECT',
    );
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) expect(String(attribute(read, 'db.query.text'))).toMatch(/\$1/);
  });

  it('when OTEL_EXPORTER_OTLP_ENDPOINT is not set, then no OpenTelemetry SDK module is loaded and nothing is sent', async () => {
    const before = collector.bodies.length;
    const server = await startServerProcess(env({ LOG_LEVEL: 'debug' }));
    expect(server.output()).toMatch(/"msg":"tracing off/);
    const client = createUsermetaClient({ baseUrl: server.url, apiKey: API_KEY, retries: 0 });
    expect((await client.getUserMetadata(randomUUID())).status).toBe(404);
    const modules = await stopAndReadModules(server);
    // The recorder saw the whole server load (hundreds of modules) ...
    expect(modules.total).toBeGreaterThan(100);
    // ... and of OpenTelemetry only the no-op API that pg-boss imports for its own optional spans.
    expect([...packagesOf(modules.otel)]).toEqual(modules.otel.length ? ['api'] : []);
    expect(collector.bodies.length).toBe(before);
  });
});
