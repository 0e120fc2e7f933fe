import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type SendOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** Makes every connection of one request go to the address that was checked (no second DNS answer). */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/** The Standard Webhooks headers for one attempt: the event id, this attempt's time, its signature. */
export function signedHeaders(secret: string, eventId: string, body: string, now: Date): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(eventId, now, body),
  };
}

/**
 * One POST to the endpoint, connected to `address`; any 2xx is a success. No redirects are
 * followed (a 3xx is a failure), and the whole attempt, connection included, is bounded.
 */
export function sendWebhook(request: {
  url: URL;
  address: { address: string; family: 4 | 6 };
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}): Promise<SendOutcome> {
  return new Promise((resolve) => {
    const transport = request.url.protocol === 'https:' ? https : http;
    let settled = false;
    const settle = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = transport.request(request.url, {
      method: 'POST',
      headers: {
        ...request.headers,
        'content-length': String(Buffer.byteLength(request.body)),
        'user-agent': 'usermeta-webhooks',
      },
      lookup: pinnedLookup(request.address.address, request.address.family),
      agent: false,
    });
    const timer = setTimeout(() => {
      settle({ ok: false, status: null, error: `no answer within ${request.timeoutMs} ms` });
      req.destroy();
    }, request.timeoutMs);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      res.on('error', () => {});
      settle(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `HTTP ${status}` });
      req.destroy();
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      settle({ ok: false, status: null, error: error.code ?? 'connection failed' });
    });
    req.end(request.body);
  });
}
