import { randomUUID } from 'node:crypto';
import { createUsermetaClient, verifyWebhook, WebhookVerificationError } from '@usermeta/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { queryableOfClient } from '../src/db/queryable.js';
import { createLogger } from '../src/logger.js';
import { startTestServer, type TestServer } from '../src/testing/index.js';
import { PgBossDeliveryEngine } from '../src/webhooks/delivery-queue.js';
import { createUser, databaseRouting, makeKey, rawRequest, useTestServer } from './helpers.js';
import { eventually, type Received, startReceiver } from './receiver.js';

const server = useTestServer({
  webhooks: { retryDelaysMs: [100, 100, 100], timeoutMs: 800 },
});

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
const receivers: Receiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

async function receiver(behaviour?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(behaviour);
  receivers.push(r);
  return r;
}

async function addWebhook(url: string, events?: string[]) {
  const created = await server().client.createWebhook(events ? { url, events } : { url });
  if (created.status !== 201) throw new Error(`create webhook: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

/**
 * The deliveries of one endpoint for one user's events. Every server of the test run shares the
 * database, so an endpoint also gets the events of other tests' users; each test looks at its own.
 */
async function deliveries(webhookId: string, userId: string) {
  const answer = await server().client.listWebhookDeliveries(webhookId, { limit: 100 });
  if (answer.status !== 200) throw new Error(`deliveries: ${answer.status}`);
  const events = await server().database.db.selectFrom('events').select('id').where('user_id', '=', userId).execute();
  const ids = new Set(events.map((e) => e.id));
  return answer.body.deliveries.filter((d) => ids.has(d.event_id));
}

/** The requests a receiver got about one user. */
const about = (userId: string) => (received: Received[]) => received.filter((r) => r.body.includes(userId));

/** Endpoints of other tests in this file would receive these events too; each test removes its own. */
async function removeWebhook(id: string) {
  expect((await server().client.deleteWebhook(id)).status).toBe(204);
}

describe('webhook endpoints', () => {
  it('when an endpoint is added, then its secret is shown once, stored encrypted, and list and delete work', async () => {
    const created = await server().client.createWebhook({
      url: 'http://127.0.0.1:9/hook',
      events: ['user.deleted', 'user.created'],
      description: 'billing sync',
    });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    expect(created.body).toMatchObject({
      url: 'http://127.0.0.1:9/hook',
      events: ['user.created', 'user.deleted'],
      description: 'billing sync',
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const stored = await server()
      .database.db.selectFrom('webhooks')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(created.body.secret.slice('whsec_'.length));

    const list = await server().client.listWebhooks();
    if (list.status !== 200) throw new Error('list');
    const listed = list.body.webhooks.find((w) => w.id === created.body.id);
    expect(listed).toEqual({
      id: created.body.id,
      url: 'http://127.0.0.1:9/hook',
      events: ['user.created', 'user.deleted'],
      description: 'billing sync',
      created_at: created.body.created_at,
    });
    expect(JSON.stringify(list.body)).not.toContain('secret');

    const all = await addWebhook('https://127.0.0.1:9/');
    expect(all.events).toEqual(['user.created', 'user.metadata.updated', 'user.deleted']);
    expect(all.description).toBeUndefined();
    await removeWebhook(all.id);
    await removeWebhook(created.body.id);
    expect((await server().client.deleteWebhook(created.body.id)).body).toEqual({
      code: 404,
      message: 'webhook not found',
    });
    expect((await server().client.listWebhookDeliveries(created.body.id)).body).toEqual({
      code: 404,
      message: 'webhook not found',
    });
  });

  it('when the body is wrong, then 400 with the spec message', async () => {
    const post = (body: unknown) =>
      rawRequest(server(), 'POST', '/webhooks', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const url of ['ftp://example.com/x', 'not a url', 'javascript:alert(1)', 'http://user:pw@example.com/', '']) {
      expect((await post({ url })).json).toEqual({ code: 400, message: 'invalid webhook url' });
    }
    expect((await post({})).json).toEqual({ code: 400, message: 'invalid webhook url' });
    expect((await post({ url: 'http://127.0.0.1:9/', events: ['user.created', 'user.exploded'] })).json).toEqual({
      code: 400,
      message: 'unknown event type: user.exploded',
    });
    expect((await rawRequest(server(), 'DELETE', '/webhooks/nope')).json).toEqual({
      code: 400,
      message: 'invalid webhook id',
    });
    expect((await rawRequest(server(), 'GET', `/webhooks/${randomUUID()}/deliveries?limit=0`)).json).toEqual({
      code: 400,
      message: 'invalid limit',
    });
  });
});

describe('webhook delivery', () => {
  it('when a PATCH changes metadata, then exactly one signed delivery arrives that verifyWebhook accepts; a tampered body or an old timestamp is refused', async () => {
    const hook = await receiver();
    const webhook = await addWebhook(hook.url, ['user.metadata.updated']);
    try {
      const id = await createUser(server());
      expect((await server().client.patchUserMetadata(id, { public_metadata: { plan: 'pro' } })).status).toBe(200);
      const [request] = about(id)(await hook.until((r) => about(id)(r).length >= 1));
      if (!request) throw new Error('no request');

      const event = verifyWebhook({
        secret: webhook.secret,
        headers: request.headers as Record<string, string>,
        body: request.body,
      });
      expect(event.type).toBe('user.metadata.updated');
      if (event.type !== 'user.metadata.updated') return;
      expect(event.data).toMatchObject({ user_id: id, version: 1, metadata: { public_metadata: { plan: 'pro' } } });
      expect(request.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request.body)).not.toHaveProperty('id');

      const history = await server().client.getMetadataHistory(id);
      if (history.status !== 200) throw new Error('history');
      expect(event.id).toBe(history.body.events[0]?.id);
      expect(request.headers['webhook-id']).toBe(event.id);

      const [delivery] = await eventually(
        () => deliveries(webhook.id, id),
        (d) => d[0]?.status === 'succeeded',
      );
      expect(delivery).toMatchObject({
        event_id: event.id,
        type: 'user.metadata.updated',
        attempts: 1,
        last_status: 204,
      });
      expect(about(id)(hook.received)).toHaveLength(1);

      const headers = request.headers as Record<string, string>;
      expect(() =>
        verifyWebhook({ secret: webhook.secret, headers, body: request.body.replace('pro', 'free') }),
      ).toThrow(WebhookVerificationError);
      const later = new Date((Number(headers['webhook-timestamp']) + 301) * 1000);
      expect(() => verifyWebhook({ secret: webhook.secret, headers, body: request.body, now: later })).toThrow(
        /timestamp/,
      );
      expect(() =>
        verifyWebhook({ secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}`, headers, body: request.body }),
      ).toThrow(/signature/);
    } finally {
      await removeWebhook(webhook.id);
    }
  });

  it('when the receiver answers 500, then times out, then recovers, then the delivery succeeds on the third attempt and deliveries shows it', async () => {
    const id = await createUser(server());
    let attempt = 0;
    const hook = await receiver((_n, request) => {
      if (!request.body.includes(id)) return 204;
      attempt += 1;
      return attempt === 1 ? 500 : attempt === 2 ? 'hang' : 200;
    });
    const webhook = await addWebhook(hook.url, ['user.metadata.updated']);
    try {
      await server().client.patchUserMetadata(id, { unsafe_metadata: { retry: true } });
      const [delivery] = await eventually(
        () => deliveries(webhook.id, id),
        (d) => d[0]?.status === 'succeeded',
      );
      expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, last_status: 200 });
      expect(delivery?.last_error).toBeUndefined();
      expect(delivery?.next_attempt_at).toBeUndefined();
      const mine = about(id)(hook.received);
      expect(mine).toHaveLength(3);
      expect(new Set(mine.map((r) => r.headers['webhook-id'])).size).toBe(1);
      for (const request of mine) {
        expect(() =>
          verifyWebhook({
            secret: webhook.secret,
            headers: request.headers as Record<string, string>,
            body: request.body,
          }),
        ).not.toThrow();
      }
    } finally {
      await removeWebhook(webhook.id);
    }
  });

  it('when the receiver keeps failing, then after the schedule the delivery is failed with the last error', async () => {
    const id = await createUser(server());
    const hook = await receiver((_n, request) => (request.body.includes(id) ? 503 : 204));
    const webhook = await addWebhook(hook.url, ['user.metadata.updated']);
    try {
      await server().client.patchUserMetadata(id, { unsafe_metadata: { doomed: true } });
      const [failed] = await eventually(
        () => deliveries(webhook.id, id),
        (d) => d[0]?.status === 'failed',
      );
      expect(failed).toMatchObject({ status: 'failed', attempts: 4, last_status: 503, last_error: 'HTTP 503' });
      expect(failed?.next_attempt_at).toBeUndefined();
      expect(about(id)(hook.received)).toHaveLength(4);
    } finally {
      await removeWebhook(webhook.id);
    }
  });

  it('when endpoints subscribe to some types, then each receives only those: creation and deletion included', async () => {
    const lifecycle = await receiver();
    const onlyDeleted = await receiver();
    const all = await addWebhook(lifecycle.url);
    const deletions = await addWebhook(onlyDeleted.url, ['user.deleted']);
    try {
      const id = randomUUID();
      await server().client.createUser({ id });
      await server().client.patchUserMetadata(id, { public_metadata: { a: 1 } });
      await server().client.deleteUser(id);
      await lifecycle.until((r) => about(id)(r).length >= 3);
      const [deletedRequest] = about(id)(await onlyDeleted.until((r) => about(id)(r).length >= 1));
      const types = about(id)(lifecycle.received).map(
        (r) => verifyWebhook({ secret: all.secret, headers: r.headers as Record<string, string>, body: r.body }).type,
      );
      expect(types.sort()).toEqual(['user.created', 'user.deleted', 'user.metadata.updated']);
      const deleted = verifyWebhook({
        secret: deletions.secret,
        headers: deletedRequest?.headers as Record<string, string>,
        body: deletedRequest?.body ?? '',
      });
      expect(deleted).toMatchObject({ type: 'user.deleted', data: { user_id: id, actor: 'root' } });
      await eventually(
        () => deliveries(deletions.id, id),
        (d) => d.length === 1 && d[0]?.status === 'succeeded',
      );
      expect(about(id)(onlyDeleted.received)).toHaveLength(1);
    } finally {
      await removeWebhook(all.id);
      await removeWebhook(deletions.id);
    }
  });
});

describe('kind-limited endpoints', () => {
  it('when the endpoint was made by a key limited to public metadata, then it receives only public changes, and only public kinds', async () => {
    const hook = await receiver();
    // Made through the API by a key that may see only public_metadata: the endpoint keeps its kinds.
    const { key } = await makeKey(server(), { scopes: ['webhooks:manage'], kinds: ['public_metadata'] });
    const limited = createUsermetaClient({ baseUrl: server().url, apiKey: key, retries: 0 });
    const made = await limited.createWebhook({ url: hook.url, events: ['user.metadata.updated'] });
    if (made.status !== 201) throw new Error(`create webhook: ${made.status}`);
    const webhook = made.body;
    try {
      const id = await createUser(server());
      await server().client.patchUserMetadata(id, { private_metadata: { salary: 1 } });
      await server().client.patchUserMetadata(id, { public_metadata: { team: 'a' }, private_metadata: { salary: 2 } });
      const [request] = about(id)(await hook.until((r) => about(id)(r).length >= 1));
      const event = verifyWebhook({
        secret: webhook.secret,
        headers: request?.headers as Record<string, string>,
        body: request?.body ?? '',
      });
      expect(event).toMatchObject({
        type: 'user.metadata.updated',
        data: {
          changed_kinds: ['public_metadata'],
          metadata: { public_metadata: { team: 'a' } },
          previous_metadata: {},
        },
      });
      expect(request?.body).not.toContain('salary');
      const list = await eventually(
        () => deliveries(webhook.id, id),
        (d) => d[0]?.status === 'succeeded',
      );
      expect(list).toHaveLength(1);
      expect(about(id)(hook.received)).toHaveLength(1);
    } finally {
      await removeWebhook(webhook.id);
    }
  });
});

describe('SSRF', () => {
  let strict: TestServer | undefined;
  let answers: string[] = [];
  beforeAll(async () => {
    strict = await startTestServer({
      databaseUrl: inject('databaseUrl'),
      db: databaseRouting(),
      webhooks: { allowPrivateNetworks: false, retryDelaysMs: [] },
      // A DNS server that changes its answer after the check (rebinding): names under .rebind.test only.
      resolve: async (host) => {
        if (!host.endsWith('.rebind.test')) throw new Error('ENOTFOUND');
        return [{ address: answers.shift() ?? '127.0.0.1', family: 4 }];
      },
    });
  });
  afterAll(async () => {
    await strict?.close();
  });

  it('when a URL points at loopback, private, link-local, unspecified or multicast addresses, then 400 webhook url not allowed', async () => {
    const client = strict?.client;
    if (!client) throw new Error('no server');
    for (const url of [
      'http://127.0.0.1/',
      'http://localhost:8080/hook',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:10.0.0.1]/',
      'http://10.1.2.3/',
      'http://172.16.0.1/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data',
      'http://0.0.0.0/',
      'http://[::]/',
      'http://[fe80::1]/',
      'http://[fd00::1]/',
      'http://224.0.0.1/',
      'http://[ff02::1]/',
      'http://100.64.0.1/',
      'http://no-such-host.invalid/',
    ]) {
      expect((await client.createWebhook({ url })).body, url).toEqual({
        code: 400,
        message: 'webhook url not allowed',
      });
    }
    const publicUrl = await client.createWebhook({ url: 'https://93.184.215.14/hook' });
    expect(publicUrl.status).toBe(201);
    if (publicUrl.status === 201) await client.deleteWebhook(publicUrl.body.id);
  });

  it('when a host resolved to a public address at creation and to loopback at delivery, then nothing is sent and the delivery fails', async () => {
    const client = strict?.client;
    if (!client) throw new Error('no server');
    const hook = await receiver();
    answers = ['93.184.215.14'];
    const created = await client.createWebhook({ url: `http://evil.rebind.test:${hook.port}/hook` });
    if (created.status !== 201) throw new Error(`create: ${created.status}`);
    try {
      const id = randomUUID();
      await client.createUser({ id });
      const [delivery] = await eventually(
        async () => {
          const answer = await client.listWebhookDeliveries(created.body.id, { limit: 100 });
          const [event] = await server()
            .database.db.selectFrom('events')
            .select('id')
            .where('user_id', '=', id)
            .execute();
          return answer.status === 200 ? answer.body.deliveries.filter((d) => d.event_id === event?.id) : [];
        },
        (d) => d[0]?.status === 'failed',
      );
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, last_error: 'webhook url not allowed' });
      expect(hook.received).toHaveLength(0);
    } finally {
      await client.deleteWebhook(created.body.id);
    }
  });
});

describe('attempts that cannot be made', () => {
  /**
   * The delivery of the `user.created` event of user `userId` to a webhook, once it is no longer
   * pending (other test files make users meanwhile: their deliveries are left out).
   */
  async function settledDelivery(client: TestServer['client'], webhookId: string, userId: string) {
    const deliveries = await eventually(
      async () => {
        const [event] = await server()
          .database.db.selectFrom('events')
          .select('id')
          .where('user_id', '=', userId)
          .where('type', '=', 'user.created')
          .execute();
        const answer = await client.listWebhookDeliveries(webhookId, { limit: 100 });
        return answer.status === 200 && event ? answer.body.deliveries.filter((d) => d.event_id === event.id) : [];
      },
      (found) => found.length === 1 && found[0]?.status !== 'pending',
    );
    return deliveries[0];
  }

  it('when the signing secret cannot be decrypted, then each attempt fails with that reason and the delivery ends failed', async () => {
    const hook = await receiver();
    const created = await addWebhook(hook.url, ['user.created']);
    await server()
      .database.db.updateTable('webhooks')
      .set({ secret_encrypted: 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA' })
      .where('id', '=', created.id)
      .execute();
    try {
      const userId = randomUUID();
      expect((await server().client.createUser({ id: userId })).status).toBe(201);
      expect(await settledDelivery(server().client, created.id, userId)).toMatchObject({
        status: 'failed',
        attempts: 4,
        last_error: 'the signing secret cannot be decrypted with this WEBHOOK_SECRETS_KEY',
      });
      expect(hook.received).toHaveLength(0);
    } finally {
      await server().client.deleteWebhook(created.id);
    }
  });

  it('when the host takes longer than WEBHOOK_TIMEOUT to resolve, then the attempt fails within it', async () => {
    let lookups = 0;
    const own = await startTestServer({
      databaseUrl: inject('databaseUrl'),
      db: databaseRouting(),
      webhooks: { retryDelaysMs: [], timeoutMs: 500 },
      // Answers when the endpoint is made; never again (a DNS server that stopped answering).
      resolve: (host) =>
        lookups++ === 0 && host === 'slow-dns.test'
          ? Promise.resolve([{ address: '127.0.0.1', family: 4 }])
          : new Promise(() => {}),
    });
    const hook = await receiver();
    // Only user.created: no webhook that wants metadata changes may outlive this test, as
    // PATCHes of every other test would then take the locking path.
    const created = await own.client.createWebhook({
      url: `http://slow-dns.test:${hook.port}/hook`,
      events: ['user.created'],
    });
    if (created.status !== 201) throw new Error(`create: ${created.status}`);
    try {
      const userId = randomUUID();
      expect((await own.client.createUser({ id: userId })).status).toBe(201);
      expect(await settledDelivery(own.client, created.body.id, userId)).toMatchObject({
        status: 'failed',
        attempts: 1,
        last_error: 'no address for the host within 500 ms',
      });
      expect(hook.received).toHaveLength(0);
    } finally {
      await own.client.deleteWebhook(created.body.id);
      await own.close();
    }
  });
});

describe('deleting an endpoint', () => {
  it('when an attempt to it is in flight, then the delete waits for the attempt and succeeds, even past the lock timeout', async () => {
    // Attempts may last 3 s; the pool's lock timeout is 0.5 s.
    const own = await startTestServer({
      databaseUrl: inject('databaseUrl'),
      db: { ...databaseRouting(), lockTimeoutMs: 500 },
      webhooks: { retryDelaysMs: [60_000], timeoutMs: 3000 },
    });
    try {
      const hanging = await receiver(() => 'hang');
      const created = await own.client.createWebhook({ url: hanging.url, events: ['user.created'] });
      if (created.status !== 201) throw new Error(`create webhook: ${created.status}`);
      expect((await own.client.createUser()).status).toBe(201);
      await hanging.until((received) => received.length === 1);
      const deleted = await own.client.deleteWebhook(created.body.id);
      expect(deleted.status).toBe(204);
      const listed = await own.client.listWebhooks();
      if (listed.status !== 200) throw new Error(`list: ${listed.status}`);
      expect(listed.body.webhooks.map((w) => w.id)).not.toContain(created.body.id);
    } finally {
      await own.close();
    }
  }, 30_000);
});

describe('the delivery engine', () => {
  it('when it starts again with a longer attempt limit (WEBHOOK_TIMEOUT raised), then the queue and every new job take it', async () => {
    const connectionString = inject('pooler')?.directUrl ?? inject('databaseUrl');
    const queue = `webhook-delivery-settings-${randomUUID()}`;
    const logger = createLogger('silent');
    const first = new PgBossDeliveryEngine({ connectionString, queue, poolMax: 2, expireInSeconds: 15, logger });
    await first.start(async () => {});
    await first.stop(1000);
    const second = new PgBossDeliveryEngine({ connectionString, queue, poolMax: 2, expireInSeconds: 40, logger });
    await second.start(async () => {});
    const pool = server().database.pool;
    try {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await second.enqueue(queryableOfClient(client), randomUUID());
        await client.query('commit');
      } finally {
        client.release();
      }
      const queued = await pool.query<{ queue: number; job: number }>(
        `select q.expire_seconds as queue, j.expire_seconds as job
         from pgboss.queue q join pgboss.job j on j.name = q.name where q.name = $1`,
        [queue],
      );
      expect(queued.rows).toEqual([{ queue: 40, job: 40 }]);
    } finally {
      await second.stop(1000);
      await pool.query('delete from pgboss.job where name = $1', [queue]).catch(() => undefined);
    }
  });
});
