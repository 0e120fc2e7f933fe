import { type ChangeEvent, WebhookPayload } from '@usermeta/contract';
import { Webhook } from 'standardwebhooks';

/** Why verifyWebhook refused a request. */
export type WebhookVerificationErrorKind = 'missing_headers' | 'stale_timestamp' | 'bad_signature' | 'invalid_payload';

export class WebhookVerificationError extends Error {
  constructor(
    readonly kind: WebhookVerificationErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

export type VerifyWebhookInput = {
  /** The endpoint's secret (`whsec_…`), as POST /webhooks showed it. */
  secret: string;
  /** The request's headers (a Headers object, or Node's `req.headers`). */
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The raw body exactly as received: parse it only after verifying. */
  body: string | Uint8Array;
  /** How far the `webhook-timestamp` may be from now, either way; default 300 s. */
  toleranceSeconds?: number;
  /** For tests: the current time. */
  now?: Date;
};

const utf8 = new TextEncoder();
// `ignoreBOM`: a leading byte order mark stays in the text, as it is part of what was signed.
const utf8Text = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Same length and same bytes, in a time that depends on the length only (no early exit), so
 * that how long a refusal takes says nothing about how much of a guessed signature was right.
 * Plain JavaScript instead of node:crypto's timingSafeEqual: the client also runs in browsers,
 * where the console imports it, and in other runtimes.
 */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}

function header(headers: VerifyWebhookInput['headers'], name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks a webhook delivery as the Standard Webhooks spec says (HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>`, timestamp within the tolerance) and returns the
 * event, parsed with the contract's schema and with its id from `webhook-id`. Throws a
 * WebhookVerificationError on a bad signature, a stale timestamp or a payload that is not a
 * known event.
 */
export function verifyWebhook(input: VerifyWebhookInput): ChangeEvent {
  const id = header(input.headers, 'webhook-id');
  const timestamp = header(input.headers, 'webhook-timestamp');
  const signatures = header(input.headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError('missing_headers', 'missing webhook-id, webhook-timestamp or webhook-signature');
  }
  const seconds = /^[0-9]{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const tolerance = input.toleranceSeconds ?? 300;
  if (Number.isNaN(seconds) || Math.abs(now - seconds) > tolerance) {
    throw new WebhookVerificationError('stale_timestamp', 'webhook timestamp outside the tolerance');
  }
  const body = typeof input.body === 'string' ? input.body : utf8Text.decode(input.body);
  const expected = utf8.encode(new Webhook(input.secret).sign(id, new Date(seconds * 1000), body).slice('v1,'.length));
  const matches = signatures.split(' ').some((versioned) => {
    const [version, signature] = versioned.split(',');
    if (version !== 'v1' || signature === undefined) return false;
    return sameBytes(utf8.encode(signature), expected);
  });
  if (!matches) throw new WebhookVerificationError('bad_signature', 'no matching webhook signature');

  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new WebhookVerificationError('invalid_payload', 'webhook body is not JSON');
  }
  const parsed = WebhookPayload.safeParse(json);
  if (!parsed.success) throw new WebhookVerificationError('invalid_payload', 'webhook body is not a known event');
  return { id, ...parsed.data } as ChangeEvent;
}
