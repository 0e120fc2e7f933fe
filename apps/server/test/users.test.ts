import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rawRequest, readStored, storeMetadata, userExists, useTestServer } from './helpers.js';

const server = useTestServer();
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('POST /users', () => {
  it('when no body is sent, then 201 with a generated id and UTC timestamps, and the user is stored', async () => {
    const res = await rawRequest(server(), 'POST', '/users');
    expect(res.status).toBe(201);
    const user = res.json as { id: string; created_at: string; updated_at: string };
    expect(Object.keys(user)).toEqual(['id', 'created_at', 'updated_at']);
    expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(user.created_at).toMatch(RFC3339_UTC);
    expect(user.updated_at).toMatch(RFC3339_UTC);
    expect(await userExists(server(), user.id)).toBe(true);
  });

  it('when {} is sent, then an id is generated too', async () => {
    const result = await server().client.createUser({});
    expect(result.status).toBe(201);
  });

  it('when an id is given, then the user gets it; a second time, then 409 user already exists', async () => {
    const id = randomUUID();
    const first = await server().client.createUser({ id });
    expect(first).toMatchObject({ status: 201, body: { id } });
    const again = await server().client.createUser({ id: id.toUpperCase() });
    expect(again).toMatchObject({ status: 409, body: { code: 409, message: 'user already exists' } });
  });

  it('when the body or the id is bad, then 400 with the reason', async () => {
    const post = (body: string, type = 'application/json') =>
      rawRequest(server(), 'POST', '/users', { body, headers: { 'content-type': type } });
    expect((await post('{"id":"nope"}')).json).toEqual({ code: 400, message: 'invalid user id' });
    expect((await post('{"id":42}')).json).toEqual({ code: 400, message: 'invalid user id' });
    expect((await post('[]')).json).toEqual({ code: 400, message: 'request body must be an object' });
    expect((await post('null')).json).toEqual({ code: 400, message: 'request body must be an object' });
    expect((await post('{')).json).toEqual({ code: 400, message: 'invalid json' });
    expect((await post('{}', 'text/plain')).json).toEqual({ code: 415, message: 'Unsupported Media Type' });
  });
});

describe('GET /users/{id}', () => {
  it('when the user has metadata, then it comes with the user', async () => {
    const id = randomUUID();
    await server().client.createUser({ id });
    await storeMetadata(server(), id, { unsafe_metadata: { a: 1 }, public_metadata: { b: 2 }, private_metadata: {} });
    const res = await rawRequest(server(), 'GET', `/users/${id}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.json as object)).toEqual(['id', 'created_at', 'updated_at', 'metadata']);
    expect((res.json as { metadata: unknown }).metadata).toEqual({
      public_metadata: { b: 2 },
      unsafe_metadata: { a: 1 },
    });
  });

  it('when the user has no metadata, then there is no metadata key', async () => {
    const created = await server().client.createUser();
    const id = (created.body as { id: string }).id;
    const res = await rawRequest(server(), 'GET', `/users/${id}`);
    expect(res.json).toEqual(created.body);
  });

  it('when the user does not exist or the id is bad, then 404 or 400', async () => {
    expect((await server().client.getUser(randomUUID())).body).toEqual({ code: 404, message: 'user not found' });
    expect((await rawRequest(server(), 'GET', '/users/123')).json).toEqual({ code: 400, message: 'invalid user id' });
  });
});

describe('DELETE /users/{id}', () => {
  it('when the user exists, then 204 and the user and its metadata are gone', async () => {
    const id = randomUUID();
    await server().client.createUser({ id });
    await server().client.patchUserMetadata(id, { public_metadata: { a: 1 } });
    const res = await rawRequest(server(), 'DELETE', `/users/${id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await userExists(server(), id)).toBe(false);
    expect(await readStored(server(), id)).toBeUndefined();
    expect((await server().client.getUserMetadata(id)).status).toBe(404);
  });

  it('when the user does not exist or the id is bad, then 404 or 400', async () => {
    expect((await server().client.deleteUser(randomUUID())).body).toEqual({ code: 404, message: 'user not found' });
    expect((await rawRequest(server(), 'DELETE', '/users/x')).json).toEqual({ code: 400, message: 'invalid user id' });
    expect((await rawRequest(server(), 'DELETE', '/users/')).json).toEqual({ code: 400, message: 'invalid user id' });
  });
});
