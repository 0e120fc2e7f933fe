import { randomUUID } from 'node:crypto';
import type { UserMetadataUpdatedEvent } from '@usermeta/contract';
import { describe, expect, it } from 'vitest';
import { changedKinds } from '../src/events/event-recorder.js';
import { EventsService } from '../src/events/events.service.js';
import { purgeExpired } from '../src/events/retention.js';
import { createUser, rawRequest, useTestServer } from './helpers.js';

const server = useTestServer();

async function history(userId: string, query = '') {
  return rawRequest(server(), 'GET', `/users/${userId}/metadata/history${query}`);
}

async function eventRows(userId: string) {
  return server()
    .database.db.selectFrom('events')
    .select(['type', 'payload'])
    .where('user_id', '=', userId)
    .orderBy('seq')
    .execute();
}

describe('change events', () => {
  it('when a PATCH changes metadata, then one user.metadata.updated event carries before, after, kinds, actor and request id', async () => {
    const id = await createUser(server());
    await rawRequest(server(), 'PATCH', `/users/${id}/metadata`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ public_metadata: { role: 'viewer' }, unsafe_metadata: { theme: 'dark' } }),
    });
    const patched = await rawRequest(server(), 'PATCH', `/users/${id}/metadata`, {
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-history-1' },
      body: JSON.stringify({ public_metadata: { role: 'admin' }, private_metadata: { plan: 'pro' } }),
    });
    expect(patched.status).toBe(200);

    const page = await history(id);
    expect(page.status).toBe(200);
    const events = (page.json as { events: UserMetadataUpdatedEvent[] }).events;
    expect(events).toHaveLength(2);
    const [latest] = events;
    expect(latest).toMatchObject({
      type: 'user.metadata.updated',
      data: {
        user_id: id,
        changed_kinds: ['public_metadata', 'private_metadata'],
        metadata: {
          public_metadata: { role: 'admin' },
          private_metadata: { plan: 'pro' },
          unsafe_metadata: { theme: 'dark' },
        },
        previous_metadata: { public_metadata: { role: 'viewer' }, unsafe_metadata: { theme: 'dark' } },
        request_id: 'req-history-1',
        actor: 'root',
      },
    });
    expect(latest?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(latest?.timestamp ?? ''))).toBe(false);
    expect(latest?.data.version).toBeGreaterThan(events[1]?.data.version ?? Number.POSITIVE_INFINITY);
  });

  it('when a PATCH fails or changes nothing, then no event is written', async () => {
    const id = await createUser(server());
    const patch = (body: unknown) =>
      rawRequest(server(), 'PATCH', `/users/${id}/metadata`, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await patch({ public_metadata: { a: 1 } })).status).toBe(200);
    const before = (await eventRows(id)).length;
    expect((await patch({ public_metadata: { a: 1 } })).status).toBe(200); // no change
    expect((await patch({ public_metadata: {} })).status).toBe(200); // no change
    expect((await patch({ public_metadata: { big: 'x'.repeat(3001) } })).status).toBe(400); // over the limit
    expect((await patch({ public_metadata: 'nope' })).status).toBe(400);
    expect(
      (
        await rawRequest(server(), 'PATCH', `/users/${randomUUID()}/metadata`, {
          headers: { 'content-type': 'application/json' },
          body: '{"public_metadata":{"a":2}}',
        })
      ).status,
    ).toBe(404);
    expect((await eventRows(id)).length).toBe(before);
  });

  it('when a user is created and deleted, then user.created and user.deleted are recorded and its history goes with it', async () => {
    const id = randomUUID();
    expect(
      (
        await rawRequest(server(), 'POST', '/users', {
          headers: { 'content-type': 'application/json', 'x-request-id': 'req-create' },
          body: JSON.stringify({ id }),
        })
      ).status,
    ).toBe(201);
    expect((await server().client.patchUserMetadata(id, { public_metadata: { a: 1 } })).status).toBe(200);
    expect((await eventRows(id)).map((r) => r.type)).toEqual(['user.created', 'user.metadata.updated']);
    expect((await eventRows(id))[0]?.payload).toMatchObject({
      data: { user_id: id, request_id: 'req-create', actor: 'root' },
    });

    expect((await server().client.deleteUser(id)).status).toBe(204);
    const rows = await eventRows(id);
    expect(rows.map((r) => r.type)).toEqual(['user.deleted']);
    expect(rows[0]?.payload).toMatchObject({ type: 'user.deleted', data: { user_id: id, actor: 'root' } });
    expect((await history(id)).status).toBe(404);
  });

  it('when creating a user fails (it exists), then no second user.created is written', async () => {
    const id = randomUUID();
    expect((await server().client.createUser({ id })).status).toBe(201);
    expect((await server().client.createUser({ id })).status).toBe(409);
    expect((await eventRows(id)).map((r) => r.type)).toEqual(['user.created']);
  });
});

describe('GET /users/{id}/metadata/history', () => {
  it('when paged, then every change appears once, newest first, and the last page has no cursor', async () => {
    const id = await createUser(server());
    for (let n = 1; n <= 23; n++) {
      expect((await server().client.patchUserMetadata(id, { public_metadata: { n } })).status).toBe(200);
    }
    const seen: number[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await server().client.getMetadataHistory(id, { limit: 10, cursor });
      if (page.status !== 200) throw new Error(`status ${page.status}`);
      sizes.push(page.body.events.length);
      seen.push(...page.body.events.map((e) => e.data.metadata.public_metadata?.n as number));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(sizes).toEqual([10, 10, 3]);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => 23 - i));
  });

  it('when a change happens between pages, then the next page neither repeats nor skips', async () => {
    const id = await createUser(server());
    for (let n = 1; n <= 4; n++) await server().client.patchUserMetadata(id, { public_metadata: { n } });
    const first = await server().client.getMetadataHistory(id, { limit: 2 });
    if (first.status !== 200) throw new Error('first page');
    await server().client.patchUserMetadata(id, { public_metadata: { n: 5 } });
    const second = await server().client.getMetadataHistory(id, { limit: 2, cursor: first.body.next_cursor });
    if (second.status !== 200) throw new Error('second page');
    expect(first.body.events.map((e) => e.data.metadata.public_metadata?.n)).toEqual([4, 3]);
    expect(second.body.events.map((e) => e.data.metadata.public_metadata?.n)).toEqual([2, 1]);
    expect(second.body.next_cursor).toBeUndefined();
  });

  it('when the limit, cursor or id is bad, or the user is unknown, then 400 or 404 with the spec message', async () => {
    const id = await createUser(server());
    for (const limit of ['0', '101', 'ten', '', '1.5', '-1']) {
      expect((await history(id, `?limit=${limit}`)).json).toEqual({ code: 400, message: 'invalid limit' });
    }
    const forged = [
      Buffer.from('h:9999999999999999999').toString('base64url'), // past PostgreSQL's bigint
      Buffer.from('h:9223372036854775808').toString('base64url'), // bigint's maximum + 1
      'a'.repeat(201), // longer than any cursor the server makes
      'aDoxMh', // 'h:12' (aDoxMg) spelled with other trailing bits
    ];
    for (const cursor of ['nope', 'aDow', Buffer.from('h:abc').toString('base64url'), '', ...forged]) {
      expect((await history(id, `?cursor=${cursor}`)).json).toEqual({ code: 400, message: 'invalid cursor' });
    }
    expect((await history('not-a-uuid')).json).toEqual({ code: 400, message: 'invalid user id' });
    expect((await history(randomUUID())).json).toEqual({ code: 404, message: 'user not found' });
    expect((await history(id)).json).toEqual({ events: [] });
    expect((await history(id, '?limit=100')).status).toBe(200);
  });

  it('when read by a key limited to some kinds, then other kinds are left out, and changes only to them are skipped', async () => {
    const id = await createUser(server());
    await server().client.patchUserMetadata(id, { public_metadata: { a: 1 }, private_metadata: { secret: 1 } });
    await server().client.patchUserMetadata(id, { private_metadata: { secret: 2 } });
    await server().client.patchUserMetadata(id, { public_metadata: { a: 2 } });
    const service = new EventsService(server().database.pool);
    const result = await service.history(id, { limit: 10, beforeSeq: undefined }, { kinds: ['public_metadata'] });
    if (result.kind !== 'ok') throw new Error(result.kind);
    expect(result.page.events.map((e) => e.data)).toMatchObject([
      {
        changed_kinds: ['public_metadata'],
        metadata: { public_metadata: { a: 2 } },
        previous_metadata: { public_metadata: { a: 1 } },
      },
      { changed_kinds: ['public_metadata'], metadata: { public_metadata: { a: 1 } }, previous_metadata: {} },
    ]);
    expect(JSON.stringify(result.page)).not.toContain('secret');
  });
});

describe('retention', () => {
  it('when events are older than the retention, then the sweep removes them and keeps the newer ones', async () => {
    const id = await createUser(server());
    await server().client.patchUserMetadata(id, { public_metadata: { old: true } });
    await server().client.patchUserMetadata(id, { public_metadata: { old: false } });
    const [oldest] = await server()
      .database.db.selectFrom('events')
      .select('id')
      .where('user_id', '=', id)
      .orderBy('seq')
      .execute();
    await server()
      .database.db.updateTable('events')
      .set({ created_at: new Date(Date.now() - 91 * 86_400_000) })
      .where('id', '=', oldest?.id ?? '')
      .execute();
    expect(await purgeExpired(server().database.pool, 90 * 86_400_000)).toBeGreaterThanOrEqual(1);
    const left = await server().client.getMetadataHistory(id);
    if (left.status !== 200) throw new Error('history');
    expect(left.body.events.map((e) => e.data.metadata.public_metadata)).toEqual([{ old: false }]);
  });
});

describe('changedKinds', () => {
  it('when kinds differ, then exactly those are listed in the order public, private, unsafe', () => {
    expect(
      changedKinds(
        { public_metadata: { a: 1 }, private_metadata: null, unsafe_metadata: { b: 1 } },
        { public_metadata: { a: 1 }, private_metadata: { c: 1 }, unsafe_metadata: null },
      ),
    ).toEqual(['private_metadata', 'unsafe_metadata']);
  });

  it('when a kind holds the same JSON with members in another order, then it is not listed', () => {
    expect(
      changedKinds(
        { public_metadata: { a: [{ x: 1, y: { p: 1, q: 2 } }], b: 2 }, private_metadata: null, unsafe_metadata: null },
        {
          public_metadata: { b: 2, a: [{ y: { q: 2, p: 1 }, x: 1 }] },
          private_metadata: null,
          unsafe_metadata: { z: 1 },
        },
      ),
    ).toEqual(['unsafe_metadata']);
  });
});
