import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createUsermetaClient, type UsermetaClient, verifyWebhook } from '@usermeta/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { eventually, startReceiver } from './receiver.js';

/**
 * The built server (`dist/main.js`) as real processes on the run's database: what survives a
 * SIGKILL, and what two processes do with one queue.
 */
const mainJs = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const apiKey = randomBytes(24).toString('base64url');
const dataDir = `/tmp/usermeta-webhook-procs-${randomBytes(4).toString('hex')}`;
const env = {
  PATH: process.env.PATH,
  DATABASE_URL: inject('databaseUrl'),
  ADMIN_API_KEYS: apiKey,
  PORT: '0',
  LOG_LEVEL: 'info',
  DATA_DIR: dataDir,
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_TIMEOUT: '1s',
  WEBHOOK_RETRY_DELAYS: '200ms,200ms,200ms',
  WEBHOOK_SECRETS_KEY: randomBytes(32).toString('base64'),
};

type Proc = { child: ChildProcess; client: UsermetaClient; exited: Promise<number | null> };
const running = new Set<Proc>();

function startServer(): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainJs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /"url":"(http:\/\/[^"]+)","pid":\d+,"msg":"usermeta listening"/.exec(output);
      if (match?.[1]) {
        const proc = { child, client: createUsermetaClient({ baseUrl: match[1], apiKey, retries: 0 }), exited };
        running.add(proc);
        resolve(proc);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code} before listening:\n${output}`)));
  });
}

async function stop(proc: Proc, signal: NodeJS.Signals = 'SIGTERM') {
  proc.child.kill(signal);
  await proc.exited;
  running.delete(proc);
}

afterAll(async () => {
  await Promise.all([...running].map((p) => stop(p, 'SIGKILL')));
  await rm(dataDir, { recursive: true, force: true });
});

async function addWebhook(client: UsermetaClient, url: string) {
  const created = await client.createWebhook({ url, events: ['user.metadata.updated'] });
  if (created.status !== 201) throw new Error(`create webhook: ${created.status}`);
  return created.body;
}

describe('webhook delivery across processes', () => {
  it('when the server is SIGKILLed right after a PATCH commits, before the receiver has the event, then after a restart the event arrives', async () => {
    const userId = randomUUID();
    let restarted = false;
    // Until the restart, the receiver never answers about this user: the event cannot have been delivered.
    const hook = await startReceiver((_n, request) =>
      !request.body.includes(userId) ? 204 : restarted ? 200 : 'hang',
    );
    try {
      const first = await startServer();
      const webhook = await addWebhook(first.client, hook.url);
      expect((await first.client.createUser({ id: userId })).status).toBe(201);
      expect((await first.client.patchUserMetadata(userId, { public_metadata: { survived: true } })).status).toBe(200);
      await stop(first, 'SIGKILL');
      restarted = true;

      const second = await startServer();
      const history = await second.client.getMetadataHistory(userId);
      if (history.status !== 200) throw new Error('history');
      const eventId = history.body.events[0]?.id;

      const answered = await hook.until(
        (r) => r.some((req) => req.body.includes(userId) && req.headers['webhook-id'] === eventId),
        90_000,
      );
      const request = answered.filter((r) => r.body.includes(userId)).at(-1);
      const event = verifyWebhook({
        secret: webhook.secret,
        headers: request?.headers as Record<string, string>,
        body: request?.body ?? '',
      });
      expect(event).toMatchObject({
        id: eventId,
        type: 'user.metadata.updated',
        data: { user_id: userId, version: 1 },
      });
      const deliveries = await eventually(
        async () => {
          const answer = await second.client.listWebhookDeliveries(webhook.id, { limit: 100 });
          return answer.status === 200 ? answer.body.deliveries.filter((d) => d.event_id === eventId) : [];
        },
        (d) => d[0]?.status === 'succeeded',
        40_000,
      );
      expect(deliveries).toHaveLength(1);
      await second.client.deleteWebhook(webhook.id);
      await stop(second);
    } finally {
      await hook.close();
    }
  }, 150_000);

  it('when two server processes share one database and take 200 PATCHes, then 200 distinct webhook-ids arrive, each once', async () => {
    const hook = await startReceiver(() => 200);
    try {
      const [a, b] = await Promise.all([startServer(), startServer()]);
      if (!a || !b) throw new Error('servers');
      const webhook = await addWebhook(a.client, hook.url);
      const users = Array.from({ length: 20 }, () => randomUUID());
      for (const id of users) expect((await a.client.createUser({ id })).status).toBe(201);
      const mine = (body: string) => users.some((id) => body.includes(id));

      const patches = Array.from({ length: 200 }, (_, i) => ({
        server: i % 2 === 0 ? a : b,
        user: users[i % 20] as string,
        n: i,
      }));
      for (let i = 0; i < patches.length; i += 10) {
        const batch = patches.slice(i, i + 10);
        const results = await Promise.all(
          batch.map((p) => p.server.client.patchUserMetadata(p.user, { public_metadata: { n: p.n } })),
        );
        expect(results.map((r) => r.status)).toEqual(batch.map(() => 200));
      }

      await hook.until((r) => r.filter((req) => mine(req.body)).length >= 200, 60_000);
      await eventually(
        async () => {
          const answer = await a.client.listWebhookDeliveries(webhook.id, { limit: 100 });
          return answer.status === 200 ? answer.body.deliveries : [];
        },
        (d) => d.every((x) => x.status === 'succeeded'),
        30_000,
      );
      const received = hook.received.filter((req) => mine(req.body));
      const ids = received.map((r) => r.headers['webhook-id']);
      expect(new Set(ids).size).toBe(200);
      expect(ids).toHaveLength(200);
      for (const request of received) {
        verifyWebhook({
          secret: webhook.secret,
          headers: request.headers as Record<string, string>,
          body: request.body,
        });
      }
      const versions = new Map<string, number[]>();
      for (const request of received) {
        const event = verifyWebhook({
          secret: webhook.secret,
          headers: request.headers as Record<string, string>,
          body: request.body,
        });
        if (event.type !== 'user.metadata.updated') continue;
        versions.set(event.data.user_id, [...(versions.get(event.data.user_id) ?? []), event.data.version]);
      }
      // Every change of every user arrived: versions 1..10 each, whatever the arrival order.
      for (const id of users)
        expect((versions.get(id) ?? []).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      await a.client.deleteWebhook(webhook.id);
      await Promise.all([stop(a), stop(b)]);
    } finally {
      await hook.close();
    }
  }, 120_000);
});
