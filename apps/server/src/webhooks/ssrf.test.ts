import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseDuration, parseDurationList } from '../durations.js';
import { generateWebhookSecret, SecretBox } from './secret-box.js';
import { checkWebhookUrl, isBlockedAddress } from './ssrf.js';

describe('isBlockedAddress', () => {
  it('when an address is loopback, private, link-local, unspecified, multicast or maps to one, then it is blocked', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.0.9',
      '10.0.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '100.100.0.1',
      '224.0.0.251',
      '255.255.255.255',
      '::',
      '::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a00:1',
      '::ffff:0:7f00:1', // IPv4-translated 127.0.0.1
      '::ffff:0:169.254.169.254',
      '64:ff9b:1::a00:1', // local-use NAT64
      '2002:7f00:1::1', // 6to4 of 127.0.0.1
      '2002:a9fe:a9fe::', // 6to4 of 169.254.169.254
      '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo
      '100::1', // discard-only
      '192.88.99.1', // 6to4 relay anycast
      'fe80::1',
      'fd12:3456::1',
      'ff02::1',
    ]) {
      expect(isBlockedAddress(address), address).toBe(true);
    }
  });

  it('when an address is public, then it is allowed', () => {
    for (const address of [
      '93.184.215.14',
      '8.8.8.8',
      '172.32.0.1',
      '2606:4700::1111',
      '::ffff:8.8.8.8',
      '::ffff:0:808:808', // IPv4-translated 8.8.8.8
      '2002:808:808::1', // 6to4 of 8.8.8.8
      '2001:db9::1',
    ]) {
      expect(isBlockedAddress(address), address).toBe(false);
    }
  });

  it('when a host resolves to a mix of public and private addresses, then the URL is refused', async () => {
    const resolve = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    expect(await checkWebhookUrl('https://mixed.example/', { allowPrivateNetworks: false, resolve })).toEqual({
      ok: false,
      reason: 'not_allowed',
    });
    const allowed = await checkWebhookUrl('https://mixed.example/', { allowPrivateNetworks: true, resolve });
    expect(allowed).toMatchObject({ ok: true, address: { address: '93.184.215.14', family: 4 } });
  });
});

describe('SecretBox', () => {
  it('when a secret is sealed, then only the same key opens it, and an altered text is refused', () => {
    const box = new SecretBox(randomBytes(32));
    const secret = generateWebhookSecret();
    const sealed = box.seal(secret);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(box.open(sealed)).toBe(secret);
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('x'.repeat(20)).toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
  });
});

describe('durations', () => {
  it('when a setting names durations with units, then they are read in milliseconds; anything else is refused', () => {
    expect(parseDurationList('5s,5m,30m,2h,250ms')).toEqual([5000, 300_000, 1_800_000, 7_200_000, 250]);
    expect(parseDuration('90d')).toBe(7_776_000_000);
    expect(parseDurationList('')).toEqual([]);
    expect(parseDurationList('5s,soon')).toBeUndefined();
    expect(parseDuration('10')).toBeUndefined();
  });
});
