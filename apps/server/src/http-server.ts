import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export type HttpServerOptions = {
  port: number;
  host: string;
  /** Whole-request deadline: a client that trickles its request is cut off. */
  requestTimeoutMs?: number;
  headersTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
};

export type RunningServer = {
  server: Server;
  url: string;
  /** Stop accepting, answer in-flight requests with `Connection: close`, close idle connections; resolves when all are closed. */
  drain(): Promise<void>;
};

/** Listens with limits that resist slow clients, and tracks in-flight responses for draining. */
export async function listen(app: Express, options: HttpServerOptions): Promise<RunningServer> {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  const server = createServer(
    {
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
      maxHeaderSize: 16_384,
    },
    (req, res) => {
      if (draining) res.setHeader('Connection', 'close');
      inFlight.add(res);
      res.on('close', () => inFlight.delete(res));
      app(req, res);
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address, family } = server.address() as AddressInfo;
  const host = family === 'IPv6' ? `[${address}]` : address;

  const drain = () =>
    new Promise<void>((resolve) => {
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      server.close(() => resolve());
      server.closeIdleConnections();
    });

  return { server, url: `http://${host}:${port}`, drain };
}
