import { contract } from '@usermeta/contract';
import { describe, expect, it } from 'vitest';
import { contractRoutes } from '../src/http/route-table.js';
import { rawRequest, useTestServer } from './helpers.js';

const server = useTestServer();

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, unknown> };
};
type Operation = {
  operationId: string;
  tags: string[];
  summary: string;
  parameters: Array<{ name: string; in: string; required: boolean; description?: string; schema: Schema }>;
  responses: Record<string, { description: string; content?: { 'application/json': { schema: Schema } } }>;
  security: Array<Record<string, string[]>>;
  requestBody?: { content: Record<string, unknown> };
};
type Schema = Record<string, unknown> & { $ref?: string; properties?: Record<string, Schema>; required?: string[] };

async function getDocument(): Promise<Doc> {
  const res = await rawRequest(server(), 'GET', '/openapi.json', { auth: false });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return res.json as Doc;
}

function resolve(doc: Doc, schema: Schema | undefined): Schema {
  if (!schema?.$ref) return schema ?? {};
  return doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')] ?? {};
}

describe('GET /openapi.json', () => {
  it('when fetched without a key, then it is an OpenAPI 3 document with every contract route', async () => {
    const doc = await getDocument();
    expect(doc.openapi).toMatch(/^3\./);
    for (const route of contractRoutes(contract)) {
      const path = route.path.replace(/:(\w+)/g, '{$1}');
      const operation = doc.paths[path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${path}`).toBeDefined();
      expect(operation?.operationId).toMatch(/^[a-z-]+$/);
      expect(operation?.summary).toBeTruthy();
      expect(operation?.tags).toHaveLength(1);
    }
  });

  it('when compared with the seed, then get-user-metadata matches it', async () => {
    const doc = await getDocument();
    const op = doc.paths['/users/{id}/metadata']?.get as Operation;
    expect(op.operationId).toBe('get-user-metadata');
    expect(op.tags).toEqual(['User Metadata Management']);
    expect(op.summary).toBe('Get metadata of a user');
    // The seed's parameters exactly; anything added is an optional header, which a seed client may leave out.
    expect(op.parameters.filter((parameter) => parameter.in !== 'header')).toEqual([
      {
        name: 'id',
        in: 'path',
        required: true,
        description: 'UUID of the requested object',
        schema: { type: 'string', format: 'uuid' },
      },
    ]);
    for (const parameter of op.parameters.filter((p) => p.in === 'header')) expect(parameter.required).toBe(false);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '204', '400', '404', '500']));
    expect(op.responses['204']?.content).toBeUndefined();
    expect(op.security).toEqual([{ BearerApiKeyAuth: [] }]);

    const metadata = resolve(doc, op.responses['200']?.content?.['application/json'].schema);
    expect(metadata.type).toBe('object');
    expect(Object.keys(metadata.properties ?? {})).toEqual(['public_metadata', 'private_metadata', 'unsafe_metadata']);
    for (const kind of Object.values(metadata.properties ?? {})) {
      expect(kind).toMatchObject({ type: 'object', additionalProperties: {} });
      expect(kind.nullable).toBeUndefined();
    }
    expect(metadata.required).toBeUndefined();

    for (const status of ['400', '404', '500']) {
      const error = resolve(doc, op.responses[status]?.content?.['application/json'].schema);
      expect(error).toMatchObject({
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'integer', format: 'int32' }, message: { type: 'string' } },
      });
    }
    expect(doc.components.securitySchemes.BearerApiKeyAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'API Key',
    });
  });

  it('when describing PATCH, then it is patch-user-metadata in the same tag, taking both JSON types', async () => {
    const doc = await getDocument();
    const op = doc.paths['/users/{id}/metadata']?.patch as Operation;
    expect(op.operationId).toBe('patch-user-metadata');
    expect(op.tags).toEqual(['User Metadata Management']);
    expect(Object.keys(op.requestBody?.content ?? {})).toEqual(['application/json', 'application/merge-patch+json']);
    expect(Object.keys(op.responses)).toEqual(
      expect.arrayContaining(['200', '204', '400', '401', '404', '412', '413', '415', '500']),
    );
  });

  it('when describing conditional requests, then GET declares 304 and PATCH 412 and If-Match, both with an ETag', async () => {
    const doc = await getDocument();
    const get = doc.paths['/users/{id}/metadata']?.get as Operation & {
      responses: Record<string, { headers?: Record<string, unknown> }>;
    };
    const patch = doc.paths['/users/{id}/metadata']?.patch as typeof get;
    expect(get.responses['304']?.content).toBeUndefined();
    expect(get.responses['304']?.description).toMatch(/If-None-Match/);
    for (const status of ['200', '204', '304']) expect(get.responses[status]?.headers).toHaveProperty('ETag');
    for (const status of ['200', '204']) expect(patch.responses[status]?.headers).toHaveProperty('ETag');
    const precondition = resolve(doc, patch.responses['412']?.content?.['application/json'].schema);
    expect(precondition).toMatchObject({ required: ['code', 'message'] });
    expect(patch.parameters).toContainEqual(
      expect.objectContaining({ name: 'If-Match', in: 'header', required: false }),
    );
  });

  it('when describing read replicas, then the routed reads take and return Usermeta-Read-After and writes return it', async () => {
    const doc = await getDocument();
    const header = (op: Operation | undefined) => op?.parameters?.find((p) => p.name === 'Usermeta-Read-After');
    const reads = [
      doc.paths['/users/{id}/metadata']?.get,
      doc.paths['/users/{id}']?.get,
      doc.paths['/users']?.get,
      doc.paths['/users/{id}/metadata/history']?.get,
    ] as (Operation & { responses: Record<string, { headers?: Record<string, unknown> }> })[];
    for (const op of reads) {
      expect(header(op)).toMatchObject({ in: 'header', required: false });
      expect(op.responses['200']?.headers).toHaveProperty('Usermeta-Read-After');
      expect(op.responses['401']?.headers?.['Usermeta-Read-After']).toBeUndefined();
    }
    const patch = doc.paths['/users/{id}/metadata']?.patch as (typeof reads)[number];
    expect(header(patch)).toBeUndefined();
    expect(patch.responses['200']?.headers).toHaveProperty('Usermeta-Read-After');
    expect(patch.responses['412']?.headers).toHaveProperty('Usermeta-Read-After');
    expect(doc.paths['/health/ready']?.get?.parameters ?? []).toEqual([]);
  });

  it('when a route is public, then it has no security; every other route has the bearer scheme', async () => {
    const doc = await getDocument();
    expect(doc.paths['/health/alive']?.get?.security).toEqual([]);
    expect(doc.paths['/health/ready']?.get?.security).toEqual([]);
    expect(doc.paths['/users']?.post?.security).toEqual([{ BearerApiKeyAuth: [] }]);
    expect(doc.paths['/users/{id}']?.delete?.security).toEqual([{ BearerApiKeyAuth: [] }]);
  });
});

describe('GET /docs', () => {
  it('when fetched without a key, then an HTML page that loads its script from this server only', async () => {
    const res = await rawRequest(server(), 'GET', '/docs', { auth: false });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const sources = [...res.text.matchAll(/src="([^"]+)"/g)].map((m) => m[1]);
    expect(sources).toEqual(['/docs/scalar.js']);
    expect(res.text).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    const script = await rawRequest(server(), 'GET', '/docs/scalar.js', { auth: false });
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
  });
});
