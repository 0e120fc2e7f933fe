import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createUser, rawRequest, readStored, storeMetadata, useTestServer } from './helpers.js';

const server = useTestServer();

describe('GET /users/{id}/metadata', () => {
  it('when no key is sent, then 401 with WWW-Authenticate, even for a malformed id', async () => {
    for (const path of [`/users/${randomUUID()}/metadata`, '/users/not-a-uuid/metadata']) {
      const res = await rawRequest(server(), 'GET', path, { auth: false });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ code: 401, message: 'Unauthorized' });
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('when the id is not a canonical UUID, then 400 invalid user id', async () => {
    const bad = ['not-a-uuid', '123', `${randomUUID()}0`, randomUUID().replaceAll('-', ''), `{${randomUUID()}}`, '%zz'];
    for (const id of bad) {
      const res = await rawRequest(server(), 'GET', `/users/${id}/metadata`);
      expect(res.status, id).toBe(400);
      expect(res.json).toEqual({ code: 400, message: 'invalid user id' });
    }
  });

  it('when the id segment is empty, then 400 invalid user id', async () => {
    const res = await rawRequest(server(), 'GET', '/users//metadata');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: 400, message: 'invalid user id' });
  });

  it('when no such user exists, then 404 user not found', async () => {
    const result = await server().client.getUserMetadata(randomUUID());
    expect(result.status).toBe(404);
    expect(result.body).toEqual({ code: 404, message: 'user not found' });
  });

  it('when the user has no metadata row, then 204 with no body and no Content-Type', async () => {
    const id = await createUser(server());
    const res = await rawRequest(server(), 'GET', `/users/${id}/metadata`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.get('content-type')).toBeNull();
  });

  it('when every kind is null or {}, then 204', async () => {
    const id = await createUser(server());
    await storeMetadata(server(), id, { public_metadata: {}, private_metadata: null });
    const result = await server().client.getUserMetadata(id);
    expect(result.status).toBe(204);
  });

  it('when all kinds are present, then 200 with them in the order public, private, unsafe', async () => {
    const id = await createUser(server());
    const metadata = {
      unsafe_metadata: { birthday: '2025-05-12' },
      public_metadata: { role: 'admin', nested: { list: [1, null, 'x'] } },
      private_metadata: { internal_id: 'e6c19cfb-09a2-41e5-a908-e33193b7ca0a' },
    };
    await storeMetadata(server(), id, metadata);
    const res = await rawRequest(server(), 'GET', `/users/${id}/metadata`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(res.json as object)).toEqual(['public_metadata', 'private_metadata', 'unsafe_metadata']);
    expect(res.json).toEqual(metadata);
  });

  it('when only some kinds are present, then only those keys, never null or {}', async () => {
    const id = await createUser(server());
    await storeMetadata(server(), id, { private_metadata: { a: 1 }, unsafe_metadata: {} });
    const res = await rawRequest(server(), 'GET', `/users/${id}/metadata`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"private_metadata":{"a":1}}');
  });

  it('when the id is in upper case, then it finds the same user', async () => {
    const id = await createUser(server());
    await storeMetadata(server(), id, { public_metadata: { x: true } });
    const result = await server().client.getUserMetadata(id.toUpperCase());
    expect(result).toMatchObject({ status: 200, body: { public_metadata: { x: true } } });
  });

  it('when read, then nothing is written (updated_at unchanged)', async () => {
    const id = await createUser(server());
    await storeMetadata(server(), id, { public_metadata: { a: 1 } });
    const before = await server()
      .database.db.selectFrom('user_metadata')
      .selectAll()
      .where('user_id', '=', id)
      .executeTakeFirst();
    await server().client.getUserMetadata(id);
    await server().client.getUserMetadata(id);
    const after = await server()
      .database.db.selectFrom('user_metadata')
      .selectAll()
      .where('user_id', '=', id)
      .executeTakeFirst();
    expect(after).toEqual(before);
    expect(await readStored(server(), id)).toEqual({
      public_metadata: { a: 1 },
      private_metadata: null,
      unsafe_metadata: null,
    });
  });

  it('when HEAD is sent, then the status of GET without a body', async () => {
    const id = await createUser(server());
    const res = await rawRequest(server(), 'HEAD', `/users/${id}/metadata`);
    expect(res.status).toBe(204);
  });
});
