import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Where a webhook may point. Only http(s); a host must resolve to public addresses only
 * (loopback, private, link-local, unspecified, multicast and other special ranges are refused,
 * and so are IPv6 forms that carry a refused IPv4 address: mapped, translated, NAT64, 6to4;
 * local-use NAT64 and Teredo always), unless private networks are allowed. Checked when the endpoint is
 * made and again before each delivery, which then connects to the very address checked.
 */
export type UrlCheck =
  | { ok: true; url: URL; address: { address: string; family: 4 | 6 } }
  | { ok: false; reason: 'invalid' | 'not_allowed' };

export function parseWebhookUrl(raw: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || !url.hostname) return undefined;
  return url;
}

/** [network, prefix length] of IPv4 ranges a webhook must not reach. */
const BLOCKED_V4: [number, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated): relays into IPv6
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
].map(([network, bits]) => [v4ToNumber(network as string), bits as number]);

function v4ToNumber(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function v4Blocked(address: string): boolean {
  const n = v4ToNumber(address);
  return BLOCKED_V4.some(([network, bits]) => {
    const size = 2 ** (32 - bits);
    return n >= network && n < network + size;
  });
}

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail included). */
function v6Groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0] ?? '';
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const n = v4ToNumber(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => Number.parseInt(g, 16));
}

function v6Blocked(address: string): boolean {
  const g = v6Groups(address);
  if (g.length !== 8 || g.some((x) => Number.isNaN(x))) return true;
  const [g0 = 0, , , , g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embeddedV4 = `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`;
  const firstFiveZero = g.slice(0, 5).every((x) => x === 0);
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d, which covers :: and ::1).
  if (firstFiveZero && (g5 === 0xffff || g5 === 0))
    return g5 === 0 && g4 === 0 && g6 === 0 ? true : v4Blocked(embeddedV4);
  // IPv4-translated (::ffff:0:a.b.c.d, RFC 2765) reaches the embedded IPv4 address.
  if (g.slice(0, 4).every((x) => x === 0) && g4 === 0xffff && g5 === 0) return v4Blocked(embeddedV4);
  // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address.
  if (g0 === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4Blocked(embeddedV4);
  // Local-use NAT64 (64:ff9b:1::/48, RFC 8215): a site's own translator, to any IPv4 it chooses.
  if (g0 === 0x64 && g[1] === 0xff9b && g[2] === 1) return true;
  // 6to4 (2002::/16) reaches the IPv4 address in its second and third groups.
  const g1 = g[1] ?? 0;
  const g2 = g[2] ?? 0;
  if (g0 === 0x2002) return v4Blocked(`${g1 >> 8}.${g1 & 0xff}.${g2 >> 8}.${g2 & 0xff}`);
  if (g0 === 0x2001 && g1 === 0) return true; // Teredo 2001::/32: tunnels to an IPv4 address
  if (g0 === 0x100 && g.slice(1, 4).every((x) => x === 0)) return true; // discard-only 100::/64
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return true; // site-local (deprecated) fec0::/10
  if ((g0 & 0xff00) === 0xff00) return true; // multicast ff00::/8
  if (g0 === 0x2001 && g[1] === 0x0db8) return true; // documentation
  return false;
}

/** True when a webhook must not be sent to this address (unless private networks are allowed). */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return v4Blocked(address);
  if (family === 6) return v6Blocked(address);
  return true;
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Parses and resolves a webhook URL. Every address the host resolves to must be allowed (an
 * attacker's DNS may answer with a mix); the first one is the one to connect to.
 */
export async function checkWebhookUrl(
  raw: string,
  options: { allowPrivateNetworks: boolean; resolve?: Resolver },
): Promise<UrlCheck> {
  const url = parseWebhookUrl(raw);
  if (!url) return { ok: false, reason: 'invalid' };
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: { address: string; family: number }[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await (options.resolve ?? systemResolver)(host);
    } catch {
      return { ok: false, reason: 'not_allowed' };
    }
  }
  const first = addresses[0];
  if (!first) return { ok: false, reason: 'not_allowed' };
  if (!options.allowPrivateNetworks && addresses.some((a) => isBlockedAddress(a.address))) {
    return { ok: false, reason: 'not_allowed' };
  }
  return { ok: true, url, address: { address: first.address, family: first.family === 6 ? 6 : 4 } };
}
