import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type ChangeEvent, verifyWebhook, WebhookVerificationError } from './index.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const userId = randomUUID();
const body = JSON.stringify({
  type: 'user.metadata.updated',
  timestamp: '2026-11-29T12:00:00.000Z',
  data: {
    user_id: userId,
    version: 7,
    changed_kinds: ['public_metadata'],
    metadata: { public_metadata: { role: 'admin' } },
    previous_metadata: {},
    request_id: 'req-1',
    actor: 'root',
  },
});

/** Headers as the server sends them, made with the reference implementation. */
function signed(payload: string, at = new Date(), id = randomUUID(), key = secret) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(key).sign(id, at, payload),
  };
}

const kind = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof WebhookVerificationError ? error.kind : 'other';
  }
  return 'none';
};

describe('verifyWebhook', () => {
  it('when the signature and timestamp are good, then it returns the typed event with its id from webhook-id', () => {
    const headers = signed(body);
    const event = verifyWebhook({ secret, headers, body });
    expectTypeOf(event).toEqualTypeOf<ChangeEvent>();
    expect(event.id).toBe(headers['webhook-id']);
    if (event.type !== 'user.metadata.updated') throw new Error(event.type);
    expectTypeOf(event.data.version).toEqualTypeOf<number>();
    expect(event.data).toMatchObject({ user_id: userId, version: 7, changed_kinds: ['public_metadata'] });
    const fromFetch = verifyWebhook({ secret, headers: new Headers(headers), body: Buffer.from(body) });
    expect(fromFetch.id).toBe(headers['webhook-id']);
  });

  it('when the body, id or secret differs from what was signed, then it throws bad_signature', () => {
    const headers = signed(body);
    expect(kind(() => verifyWebhook({ secret, headers, body: body.replace('admin', 'owner') }))).toBe('bad_signature');
    expect(kind(() => verifyWebhook({ secret, headers: { ...headers, 'webhook-id': randomUUID() }, body }))).toBe(
      'bad_signature',
    );
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    expect(kind(() => verifyWebhook({ secret: other, headers, body }))).toBe('bad_signature');
    expect(kind(() => verifyWebhook({ secret, headers: { ...headers, 'webhook-signature': 'v2,abc' }, body }))).toBe(
      'bad_signature',
    );
  });

  it('when a signature differs from the right one in one character only, or in its length, then it throws bad_signature', () => {
    const headers = signed(body);
    const right = headers['webhook-signature'];
    const last = right.at(-1) === 'A' ? 'B' : 'A';
    for (const wrong of [`${right.slice(0, -1)}${last}`, right.slice(0, -1), `${right}A`]) {
      expect(kind(() => verifyWebhook({ secret, headers: { ...headers, 'webhook-signature': wrong }, body }))).toBe(
        'bad_signature',
      );
    }
    // One good signature among others (a secret being rotated) is enough.
    const rotated = `v1,${'A'.repeat(right.length - 3)} ${right}`;
    expect(kind(() => verifyWebhook({ secret, headers: { ...headers, 'webhook-signature': rotated }, body }))).toBe(
      'none',
    );
  });

  it('when the body is given as bytes, then they are read as UTF-8 exactly as sent, a leading byte order mark included', () => {
    const text = body.replace('admin', 'admïn ✓');
    const headers = signed(text);
    const event = verifyWebhook({ secret, headers, body: new TextEncoder().encode(text) });
    if (event.type !== 'user.metadata.updated') throw new Error(event.type);
    expect(event.data.metadata).toEqual({ public_metadata: { role: 'adm\u00efn \u2713' } });
    // Signed with the mark, so the signature holds; the body is then not JSON.
    const marked = `\uFEFF${body}`;
    const bytes = new TextEncoder().encode(marked);
    expect(Array.from(bytes.slice(0, 3))).toEqual([0xef, 0xbb, 0xbf]);
    expect(kind(() => verifyWebhook({ secret, headers: signed(marked), body: bytes }))).toBe('invalid_payload');
  });

  it('when the timestamp is outside the tolerance either way, then it throws stale_timestamp', () => {
    const old = signed(body, new Date(Date.now() - 301_000));
    expect(kind(() => verifyWebhook({ secret, headers: old, body }))).toBe('stale_timestamp');
    expect(kind(() => verifyWebhook({ secret, headers: old, body, toleranceSeconds: 600 }))).toBe('none');
    const future = signed(body, new Date(Date.now() + 301_000));
    expect(kind(() => verifyWebhook({ secret, headers: future, body }))).toBe('stale_timestamp');
    expect(kind(() => verifyWebhook({ secret, headers: { ...signed(body), 'webhook-timestamp': 'soon' }, body }))).toBe(
      'stale_timestamp',
    );
  });

  it('when headers are missing or the signed body is not a known event, then it throws', () => {
    expect(kind(() => verifyWebhook({ secret, headers: {}, body }))).toBe('missing_headers');
    const unknown = JSON.stringify({ type: 'user.exploded', timestamp: '2026-11-29T12:00:00Z', data: {} });
    expect(kind(() => verifyWebhook({ secret, headers: signed(unknown), body: unknown }))).toBe('invalid_payload');
    expect(kind(() => verifyWebhook({ secret, headers: signed('not json'), body: 'not json' }))).toBe(
      'invalid_payload',
    );
  });
});
