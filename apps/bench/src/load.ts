import autocannon from 'autocannon';

/** `get304`: GETs with If-None-Match naming the user's current ETag (304 from a server that has them). */
export type Mix = 'get' | 'patch' | 'mixed' | 'get304' | 'list' | 'list-filtered';
/** The selective filter of the listing scenario: about 0.1 % of users match (seeded by listing.ts). */
export const SELECTIVE_FILTER = { plan: 'enterprise' } as const;
const listPath = (limit: number) => `/users?limit=${limit}`;
const listFilteredPath = (limit: number) =>
  `/users?limit=${limit}&public_metadata=${encodeURIComponent(JSON.stringify(SELECTIVE_FILTER))}`;

export type LoadResult = {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** Network errors, timeouts and non-2xx answers together (a 304 in the get304 scenario is not one). */
  errors: number;
  /** 304 answers (get304 only). */
  notModified?: number;
  /** CPU time (user + system) the target's process used during the run, in µs per request answered. */
  cpuUsPerRequest?: number;
  /**
   * CPU time the PostgreSQL cluster used during the run, in µs per request answered (a cluster on
   * this machine only): the database's share of the request, which the target's own CPU leaves out.
   */
  dbCpuUsPerRequest?: number;
};

/**
 * What each connection last got a 2xx for, per user: PATCHes write
 * `public_metadata.bench.c<connection> = <sequence>`, and since a connection sends one request
 * at a time, its last acknowledged sequence must be what the database holds afterwards.
 */
export type PatchLedger = Map<string, Map<string, number>>;

type Context = { conn?: number; seq?: number; pending?: { id: string; key: string; seq: number } };

export type LoadOptions = {
  url: string;
  apiKey: string;
  ids: string[];
  connections: number;
  mix: Mix;
  durationSec?: number;
  amount?: number;
  ledger?: PatchLedger;
  /** The kind PATCHes write into (the baseline's shallow merge must not clobber the server's writes). */
  writeKind?: 'public_metadata' | 'unsafe_metadata';
  /** get304: the current ETag per user id; only these ids are requested. */
  etags?: Map<string, string>;
  /** list, list-filtered: the page size asked for (default 20). */
  listingLimit?: number;
};

/**
 * The current ETag of each id, read from the server (in batches of `parallel`). A target that
 * sends no ETag (the baseline, an older build) gets If-None-Match it ignores, and answers 200.
 */
export async function fetchETags(
  url: string,
  apiKey: string,
  ids: string[],
  parallel = 16,
): Promise<Map<string, string>> {
  const etags = new Map<string, string>();
  for (let at = 0; at < ids.length; at += parallel) {
    await Promise.all(
      ids.slice(at, at + parallel).map(async (id) => {
        const res = await fetch(`${url}/users/${id}/metadata`, { headers: { authorization: `Bearer ${apiKey}` } });
        await res.arrayBuffer();
        const etag = res.headers.get('etag');
        if (etag) etags.set(id, etag);
      }),
    );
  }
  return etags;
}

const pick = (ids: string[]) => ids[Math.floor(Math.random() * ids.length)] as string;

/** Drives the target with autocannon against random existing ids. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let nextConn = 0;
  const headers = { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' };

  const get = {
    method: 'GET' as const,
    setupRequest: (req: autocannon.Request) => ({ ...req, path: `/users/${pick(options.ids)}/metadata` }),
  };
  const patch = {
    method: 'PATCH' as const,
    setupRequest: (req: autocannon.Request, context: Context) => {
      context.conn ??= nextConn++;
      context.seq = (context.seq ?? 0) + 1;
      const id = pick(options.ids);
      const key = `c${context.conn}`;
      context.pending = { id, key, seq: context.seq };
      return {
        ...req,
        path: `/users/${id}/metadata`,
        body: JSON.stringify({ [options.writeKind ?? 'public_metadata']: { bench: { [key]: context.seq } } }),
      };
    },
    onResponse: (status: number, _body: string, context: Context) => {
      const done = context.pending;
      if (!options.ledger || !done || status >= 300) return;
      const perUser = options.ledger.get(done.id) ?? new Map<string, number>();
      perUser.set(done.key, done.seq);
      options.ledger.set(done.id, perUser);
    },
  };
  let notModified = 0;
  const tagged = [...(options.etags ?? new Map<string, string>())];
  const get304 = {
    method: 'GET' as const,
    setupRequest: (req: autocannon.Request) => {
      const [id, etag] = tagged[Math.floor(Math.random() * tagged.length)] as [string, string];
      return { ...req, path: `/users/${id}/metadata`, headers: { ...req.headers, 'if-none-match': etag } };
    },
    onResponse: (status: number) => {
      if (status === 304) notModified += 1;
    },
  };
  if (options.mix === 'get304' && tagged.length === 0) throw new Error('get304 needs ETags');
  const listing = (path: string) => ({ method: 'GET' as const, path });
  const requests =
    options.mix === 'get'
      ? [get]
      : options.mix === 'get304'
        ? [get304]
        : options.mix === 'patch'
          ? [patch]
          : options.mix === 'list'
            ? [listing(listPath(options.listingLimit ?? 20))]
            : options.mix === 'list-filtered'
              ? [listing(listFilteredPath(options.listingLimit ?? 20))]
              : [get, get, get, get, get, get, get, get, get, patch];

  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSec ?? 5,
    ...(options.amount ? { amount: options.amount } : {}),
    headers,
    requests: requests as autocannon.Request[],
    timeout: 10,
  });
  return {
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx - notModified,
    ...(options.mix === 'get304' ? { notModified } : {}),
  };
}
