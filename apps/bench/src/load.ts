import autocannon from 'autocannon';

export type Mix = 'get' | 'patch' | 'mixed' | 'list' | 'list-filtered';

/** The selective filter of the listing scenario: about 0.1 % of users match (seeded by listing.ts). */
export const SELECTIVE_FILTER = { plan: 'enterprise' } as const;
const LIST_PATH = '/users?limit=20';
const LIST_FILTERED_PATH = `/users?limit=20&public_metadata=${encodeURIComponent(JSON.stringify(SELECTIVE_FILTER))}`;

export type LoadResult = {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** Network errors, timeouts and non-2xx answers together. */
  errors: number;
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
};

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
  const listing = (path: string) => ({ method: 'GET' as const, path });
  const requests =
    options.mix === 'get'
      ? [get]
      : options.mix === 'patch'
        ? [patch]
        : options.mix === 'list'
          ? [listing(LIST_PATH)]
          : options.mix === 'list-filtered'
            ? [listing(LIST_FILTERED_PATH)]
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
    errors: result.errors + result.timeouts + result.non2xx,
  };
}
