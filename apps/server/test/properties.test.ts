import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rawRequest, useTestServer } from './helpers.js';

const server = useTestServer({ logLevel: 'silent' });

/** Runs per property; CI can raise them with PROPERTY_RUNS. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 1500);

const KINDS = ['public_metadata', 'private_metadata', 'unsafe_metadata'];

/** Strings over every plane, with NUL and lone surrogate halves mixed in. */
const anyString = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.constantFrom('\u0000', '\ud800', '\udfff', '\ud83d', '"', '\\') },
  ),
  maxLength: 40,
});
const trickyKey = fc.oneof(anyString, fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', ''));
const hugeNumber = fc.constantFrom(1e308, -1e308, 5e-324, 2 ** 53 + 1, 1.2345678901234568e29);
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    hugeNumber,
    anyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(trickyKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

const deepNesting = fc
  .integer({ min: 1, max: 3000 })
  .map((depth) => `{"public_metadata":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`);
const kindsBody = fc
  .dictionary(fc.oneof(fc.constantFrom(...KINDS), trickyKey), json, { maxKeys: 4 })
  .map((o) => JSON.stringify(o));
const body = fc.oneof(
  fc.constant(undefined),
  json.map((v) => JSON.stringify(v)),
  kindsBody,
  deepNesting,
  fc.constantFrom(
    `{"public_metadata":{"n":1e400}}`,
    `{"private_metadata":{"n":-1e999,"m":123456789012345678901234567890123}}`,
  ),
  fc.string({ maxLength: 60 }),
  fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes)),
  fc.integer({ min: 60_000, max: 70_000 }).map((n) => `{"x":"${'y'.repeat(n)}"}`),
);

const idSegment = fc.oneof(
  fc.uuid().map((u) => u),
  fc.constantFrom('', 'x', '00000000-0000-0000-0000-000000000000', '%', '%zz', '..', 'é'),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
);
const path = fc.oneof(
  idSegment.map((id) => `/users/${id}/metadata`),
  idSegment.map((id) => `/users/${id}`),
  fc.constantFrom('/users', '/health/alive', '/health/ready', '/openapi.json', '/', '/users/', '//'),
  fc.webPath(),
);
const headers = fc.record(
  {
    authorization: fc.oneof(
      fc.constant('valid'),
      fc.constantFrom('Bearer nope', 'bearer', 'Basic x', ''),
      fc.string({ maxLength: 20 }),
    ),
    'content-type': fc.constantFrom(
      'application/json',
      'application/merge-patch+json',
      'text/plain',
      'application/json; charset=latin1',
      '',
    ),
    'x-request-id': fc.string({ maxLength: 30 }),
  },
  { requiredKeys: [] },
);

/** Header values must be Latin-1 without control characters to be sendable at all. */
const sendable = (value: string) => /^[\x20-\x7e\x80-\xff]*$/.test(value);

describe('any request', () => {
  it('when the method, path, headers and body are arbitrary, then never a 5xx, and every error is {code, message} with code = status', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS'),
        path,
        headers,
        body,
        async (method, target, given, payload) => {
          const sent: Record<string, string> = {};
          for (const [name, value] of Object.entries(given)) {
            if (value === undefined || !sendable(value)) continue;
            sent[name] = name === 'authorization' && value === 'valid' ? `Bearer ${server().apiKey}` : value;
          }
          const res = await rawRequest(server(), method, target, {
            auth: false,
            headers: sent,
            body: method === 'GET' || method === 'HEAD' ? undefined : payload,
          });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400 && method !== 'HEAD') {
            expect(res.json).toEqual({ code: res.status, message: expect.any(String) });
            expect(Object.keys(res.json as object)).toEqual(['code', 'message']);
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect((await rawRequest(server(), 'GET', '/health/alive')).status).toBe(200);
  }, 240_000);
});

// ---------------------------------------------------------------------------------------------
// Model-based: the server against an in-memory model of the merge rules, written here on its
// own (not the server's code), so that the two can disagree.

type Kind = Record<string, unknown>;
type ModelUser = Record<string, Kind>;
/** `versions`: the model's count of changes per user (the version the server must store). */
type Model = { users: Map<string, ModelUser>; versions: Map<string, number> };
/** `etags`: every ETag seen, with the metadata it named; `last`: the newest one seen per user. */
type Real = { ids: string[]; etags: Map<string, string>; last: Map<string, string> };

function modelMerge(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? (structuredClone(target) as Record<string, unknown>)
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else
      Object.defineProperty(out, key, {
        value: modelMerge(out[key], value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}

function modelPatch(user: ModelUser, patch: Record<string, unknown> | null): ModelUser {
  if (patch === null) return {};
  const next: ModelUser = { ...user };
  for (const kind of KINDS) {
    if (!(kind in patch)) continue;
    const merged = patch[kind] === null ? {} : (modelMerge(user[kind] ?? {}, patch[kind]) as Kind);
    if (Object.keys(merged).length === 0) delete next[kind];
    else next[kind] = merged;
  }
  return next;
}

/** The wire form of a model user: present kinds in the order public, private, unsafe. */
const wire = (user: ModelUser) => Object.fromEntries(KINDS.filter((k) => user[k]).map((k) => [k, user[k]]));

/**
 * A state as text that does not depend on the order of an object's members: the same JSON in
 * another order is the same state (PostgreSQL reorders members; a patch that only reorders
 * changes nothing).
 */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
};

/** The version the database holds for a user (0 before its first change). */
async function storedVersion(id: string): Promise<number> {
  const row = await server()
    .database.db.selectFrom('user_metadata')
    .select('version')
    .where('user_id', '=', id)
    .executeTakeFirst();
  return row?.version ?? 0;
}

/**
 * Checks an answer's ETag against everything seen: one ETag names one state only, a change
 * gives an ETag never seen before (across users and re-created ids too), and no change keeps
 * the last one.
 */
function observeETag(real: Real, id: string, res: { headers: Headers }, user: ModelUser, changed: boolean) {
  const etag = res.headers.get('etag');
  expect(etag).toMatch(/^"[\x21\x23-\x7e]+"$/);
  if (etag === null) return;
  const state = canonical(wire(user));
  const last = real.last.get(id);
  if (changed) expect(real.etags.has(etag)).toBe(false);
  else if (last !== undefined) expect(etag).toBe(last);
  const named = real.etags.get(etag);
  if (named !== undefined) expect(named).toBe(state);
  real.etags.set(etag, state);
  real.last.set(id, etag);
}

/** The model's answer to a patch: the next state, whether it changed, and the checks on the answer. */
async function expectPatched(
  model: Model,
  real: Real,
  id: string,
  user: ModelUser,
  patch: Record<string, unknown> | null,
  res: { status: number; json: unknown; headers: Headers },
) {
  const next = modelPatch(user, patch);
  const changed = canonical(wire(next)) !== canonical(wire(user));
  const version = (model.versions.get(id) ?? 0) + (changed ? 1 : 0);
  model.users.set(id, next);
  model.versions.set(id, version);
  if (Object.keys(next).length === 0) expect(res.status).toBe(204);
  else {
    expect(res.status).toBe(200);
    expect(res.json).toEqual(wire(next));
    expect(Object.keys(res.json as object)).toEqual(Object.keys(wire(next)));
  }
  observeETag(real, id, res, next, changed);
  expect(await storedVersion(id)).toBe(version);
}

const smallValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.integer(),
    fc.constantFrom('a', 'b', 'ü', '😀'),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor'), tie('value'), { maxKeys: 3 }),
  ),
})).value;
const kindPatch = fc.oneof(
  fc.constant(null),
  fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', '__proto__'), smallValue, { maxKeys: 4 }),
);
const patchArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 8,
    arbitrary: fc.record(
      { public_metadata: kindPatch, private_metadata: kindPatch, unsafe_metadata: kindPatch },
      { requiredKeys: [] },
    ),
  },
);
const who = fc.integer({ min: 0, max: 2 });

class CreateUser implements fc.AsyncCommand<Model, Real> {
  constructor(readonly who: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const id = real.ids[this.who] as string;
    const res = await server().client.createUser({ id });
    if (model.users.has(id)) expect(res.status).toBe(409);
    else {
      expect(res.status).toBe(201);
      model.users.set(id, {});
      model.versions.set(id, 0);
    }
  }
  toString = () => `createUser(${this.who})`;
}

class PatchMetadata implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly who: number,
    readonly patch: Record<string, unknown> | null,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const id = real.ids[this.who] as string;
    const res = await rawRequest(server(), 'PATCH', `/users/${id}/metadata`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.patch),
    });
    const user = model.users.get(id);
    if (!user) {
      expect(res.status).toBe(404);
      return;
    }
    await expectPatched(model, real, id, user, this.patch, res);
  }
  toString = () => `patch(${this.who}, ${JSON.stringify(this.patch)})`;
}

/** PATCH with If-Match: the newest ETag seen (or `*` before any), or one that is not current. */
class ConditionalPatch implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly who: number,
    readonly patch: Record<string, unknown> | null,
    readonly fresh: boolean,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const id = real.ids[this.who] as string;
    const last = real.last.get(id);
    const stale = [...real.etags.keys()].find((etag) => etag !== last) ?? '"0.0"';
    const ifMatch = this.fresh ? (last ?? '*') : stale;
    const res = await rawRequest(server(), 'PATCH', `/users/${id}/metadata`, {
      headers: { 'content-type': 'application/json', 'if-match': ifMatch },
      body: JSON.stringify(this.patch),
    });
    const user = model.users.get(id);
    if (!user) {
      expect(res.status).toBe(404);
      return;
    }
    if (!this.fresh) {
      expect(res.status).toBe(412);
      expect(res.json).toEqual({ code: 412, message: 'metadata has changed' });
      expect(await storedVersion(id)).toBe(model.versions.get(id));
      return;
    }
    await expectPatched(model, real, id, user, this.patch, res);
  }
  toString = () => `patchIfMatch(${this.who}, ${JSON.stringify(this.patch)}, ${this.fresh ? 'fresh' : 'stale'})`;
}

/** GET with If-None-Match: the newest ETag seen → 304 (when one was seen), another → the full answer. */
class ConditionalGet implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly who: number,
    readonly fresh: boolean,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const id = real.ids[this.who] as string;
    const last = real.last.get(id);
    const other = [...real.etags.keys()].find((etag) => etag !== last) ?? '"0.0"';
    const ifNoneMatch = this.fresh && last !== undefined ? last : other;
    const res = await rawRequest(server(), 'GET', `/users/${id}/metadata`, {
      headers: { 'if-none-match': ifNoneMatch },
    });
    const user = model.users.get(id);
    if (!user) {
      expect(res.status).toBe(404);
      return;
    }
    if (this.fresh && last !== undefined) {
      expect(res.status).toBe(304);
      expect(res.headers.get('etag')).toBe(last);
      return;
    }
    expect(res.status).toBe(Object.keys(user).length === 0 ? 204 : 200);
    observeETag(real, id, res, user, false);
  }
  toString = () => `getIfNoneMatch(${this.who}, ${this.fresh ? 'fresh' : 'other'})`;
}

class GetMetadata implements fc.AsyncCommand<Model, Real> {
  constructor(readonly who: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const id = real.ids[this.who] as string;
    const res = await rawRequest(server(), 'GET', `/users/${id}/metadata`);
    const user = model.users.get(id);
    if (!user) expect(res.status).toBe(404);
    else if (Object.keys(user).length === 0) expect(res.status).toBe(204);
    else {
      expect(res.status).toBe(200);
      expect(res.json).toEqual(wire(user));
      expect(Object.keys(res.json as object)).toEqual(Object.keys(wire(user)));
    }
    if (user) observeETag(real, id, res, user, false);
  }
  toString = () => `getMetadata(${this.who})`;
}

class GetUser implements fc.AsyncCommand<Model, Real> {
  constructor(readonly who: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const id = real.ids[this.who] as string;
    const res = await server().client.getUser(id);
    const user = model.users.get(id);
    if (!user) expect(res.status).toBe(404);
    else {
      expect(res.status).toBe(200);
      const body = res.body as { id: string; metadata?: unknown };
      expect(body.id).toBe(id);
      expect(body.metadata).toEqual(Object.keys(user).length ? wire(user) : undefined);
    }
  }
  toString = () => `getUser(${this.who})`;
}

class DeleteUser implements fc.AsyncCommand<Model, Real> {
  constructor(readonly who: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const id = real.ids[this.who] as string;
    const res = await server().client.deleteUser(id);
    expect(res.status).toBe(model.users.delete(id) ? 204 : 404);
    model.versions.delete(id);
    real.last.delete(id);
  }
  toString = () => `deleteUser(${this.who})`;
}

describe('the server against a model of the merge rules', () => {
  it('when random sequences of create, patch, conditional patch, get and delete run, then every answer equals the model, and a version never goes down nor changes without a change', async () => {
    const commands = [
      who.map((w) => new CreateUser(w)),
      fc.tuple(who, patchArb).map(([w, p]) => new PatchMetadata(w, p)),
      fc.tuple(who, patchArb).map(([w, p]) => new PatchMetadata(w, p)),
      fc.tuple(who, patchArb).map(([w, p]) => new PatchMetadata(w, p)),
      fc.tuple(who, patchArb, fc.boolean()).map(([w, p, fresh]) => new ConditionalPatch(w, p, fresh)),
      who.map((w) => new GetMetadata(w)),
      fc.tuple(who, fc.boolean()).map(([w, fresh]) => new ConditionalGet(w, fresh)),
      who.map((w) => new GetUser(w)),
      who.map((w) => new DeleteUser(w)),
    ];
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: 'large' }), async (cmds) => {
        // Two users exist from the start and a third does not, so most commands act on real data.
        const ids = [randomUUID(), randomUUID(), randomUUID()];
        for (const id of ids.slice(0, 2)) await server().client.createUser({ id });
        const setup = () => ({
          model: {
            users: new Map(ids.slice(0, 2).map((id): [string, ModelUser] => [id, {}])),
            versions: new Map(ids.slice(0, 2).map((id): [string, number] => [id, 0])),
          },
          real: { ids, etags: new Map<string, string>(), last: new Map<string, string>() },
        });
        await fc.asyncModelRun(setup, cmds);
      }),
      { numRuns: Math.max(20, Math.round(RUNS / 25)) },
    );
  }, 240_000);
});
