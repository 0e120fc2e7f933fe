import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { REASON_PHRASES } from '@usermeta/contract';
import type { Express } from 'express';

export type HttpLimits = {
  /** Whole request (headers and body) must arrive within this: a client that trickles is cut off (408). */
  requestTimeoutMs: number;
  /** Headers must arrive within this (408). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Request line and headers together (431 beyond). */
  maxHeaderBytes: number;
};

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16_384,
};

export type HttpServerOptions = { port: number; host: string; limits?: Partial<HttpLimits> };

export type RunningServer = {
  server: Server;
  url: string;
  /** Stop accepting, answer in-flight requests with `Connection: close`, close idle connections; resolves when all are closed. */
  drain(): Promise<void>;
  /** Open connections the server is tracking (for tests and diagnostics). */
  trackedConnections(): number;
};

/** What Node's HTTP parser refuses before Express sees it, answered in the API's JSON form. */
function clientErrorStatus(error: NodeJS.ErrnoException): 400 | 408 | 431 {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    default:
      return 400;
  }
}

function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const status = clientErrorStatus(error);
  const message = REASON_PHRASES[status];
  const body = JSON.stringify({ code: status, message });
  socket.end(
    `HTTP/1.1 ${status} ${message}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${randomUUID()}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

/** Listens with limits that resist slow and oversized clients, and drains without dropping a request. */
export async function listen(app: Express, options: HttpServerOptions): Promise<RunningServer> {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  // Responses not yet finished, per connection. Node's own closeIdleConnections() (which
  // http.Server.close() calls) counts a connection whose request has been read but not yet
  // answered as idle, and drops it: the drain test caught that.
  const active = new Map<Socket, number>();
  let draining = false;
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      maxHeaderSize: limits.maxHeaderBytes,
      // How often Node checks the two timeouts above; its default (30 s) would let them overrun.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      const socket = req.socket;
      active.set(socket, (active.get(socket) ?? 0) + 1);
      if (draining) res.setHeader('Connection', 'close');
      res.on('close', () => {
        // An aborted request's socket closes before its response does: never bring it back.
        const responses = active.get(socket);
        if (responses !== undefined) active.set(socket, Math.max(0, responses - 1));
      });
      app(req, res);
    },
  );
  server.on('connection', (socket) => {
    active.set(socket, 0);
    socket.on('close', () => active.delete(socket));
  });
  server.on('clientError', answerClientError);
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
      // net.Server's close, not http.Server's: the latter also runs closeIdleConnections().
      NetServer.prototype.close.call(server, () => resolve());
      for (const [socket, responses] of active) {
        if (responses === 0) socket.destroy();
        else {
          // Answered with `Connection: close`, Node closes the socket after the last response.
          const res = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
          if (res && !res.headersSent) res.setHeader('Connection', 'close');
        }
      }
    });

  return { server, url: `http://${host}:${port}`, drain, trackedConnections: () => active.size };
}
