import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findFreePort } from '../../src/testing/index.js';
import { serviceDir, startDaemon, waitUntil } from './daemon.js';

export type HAProxy = {
  url: string;
  output(): string;
  stop(): Promise<void>;
};

/**
 * A real HAProxy (Debian's 2.6) balancing round-robin over `backends` (host:port), health-checking
 * each on GET /health/ready every 300 ms: a replica that drains (503) or dies leaves the rotation
 * after two failed checks; connections it refuses meanwhile are sent to another replica.
 */
export async function startHAProxy(backends: string[]): Promise<HAProxy> {
  const dir = await serviceDir('haproxy');
  const port = await findFreePort();
  const config = [
    'global',
    '  maxconn 2000',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  retries 2',
    // A refused connection, or one closed before any answer (a draining replica closes a connection
    // whose request it has not read yet, and never half-serves one), is sent to another replica.
    '  retry-on conn-failure empty-response',
    '  option redispatch',
    // One request per connection to a replica: a replica that drains closes idle keep-alive
    // connections, and a request racing that close would be lost; a refused new connection is retried.
    '  option http-server-close',
    'frontend api',
    `  bind 127.0.0.1:${port}`,
    '  default_backend replicas',
    'backend replicas',
    '  balance roundrobin',
    '  option httpchk GET /health/ready',
    '  http-check expect status 200',
    // Two failed checks in a row take a replica out: one slow check under load (its pool busy)
    // must not empty the rotation. A draining replica refuses new connections at once anyway.
    '  timeout check 3s',
    '  default-server inter 300ms fall 2 rise 1',
    ...backends.map((backend, index) => `  server r${index} ${backend} check`),
    '',
  ].join('\n');
  const file = join(dir.path, 'haproxy.cfg');
  await writeFile(file, config, { mode: 0o644 });
  const daemon = startDaemon('/usr/sbin/haproxy', ['-db', '-f', file]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      async () => (await fetch(`${url}/health/alive`)).status === 200,
      20_000,
      () => daemon.output(),
    );
  } catch (error) {
    await daemon.stop();
    await dir.remove();
    throw error;
  }
  return {
    url,
    output: () => daemon.output(),
    stop: async () => {
      await daemon.stop('SIGTERM');
      await dir.remove();
    },
  };
}
