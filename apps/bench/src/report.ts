import type { LoadResult } from './load.js';

export type Row = {
  scenario: string;
  connections: number;
  server: LoadResult;
  /** The node:http + pg baseline. */
  baseline: LoadResult;
  /** Bare Express 5 + pg: the floor the server (Express 5 too) is measured against. */
  express?: LoadResult;
  /** An older build of the server (--compare). */
  previous?: LoadResult;
  /** Bare Express 5 around the server's own data layer (--service-floor): the same database work. */
  service?: LoadResult;
};

/** RSS of each target's process after all the scenarios ran, in MB. */
export type Rss = { server: number; baseline: number; express?: number; previous?: number; service?: number };

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The runs of one configuration (A B A B) as one: mean rps and latencies, total requests, CPU over all of them. */
export function meanOf(results: LoadResult[]): LoadResult {
  const mean = (pick: (r: LoadResult) => number) => results.reduce((sum, r) => sum + pick(r), 0) / results.length;
  const requests = results.reduce((sum, r) => sum + r.requests, 0);
  // CPU per request over all the runs that measured it: their CPU time over their requests.
  const perRequest = (pick: (r: LoadResult) => number | undefined) => {
    const measured = results.filter((r) => pick(r) !== undefined);
    const measuredRequests = measured.reduce((sum, r) => sum + r.requests, 0);
    if (measuredRequests === 0) return undefined;
    return Math.round(measured.reduce((sum, r) => sum + (pick(r) ?? 0) * r.requests, 0) / measuredRequests);
  };
  const cpuUsPerRequest = perRequest((r) => r.cpuUsPerRequest);
  const dbCpuUsPerRequest = perRequest((r) => r.dbCpuUsPerRequest);
  return {
    requests,
    rps: Math.round(mean((r) => r.rps)),
    p50: round(mean((r) => r.p50)),
    p99: round(mean((r) => r.p99)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    ...(results.some((r) => r.notModified !== undefined)
      ? { notModified: results.reduce((sum, r) => sum + (r.notModified ?? 0), 0) }
      : {}),
    ...(cpuUsPerRequest === undefined ? {} : { cpuUsPerRequest }),
    ...(dbCpuUsPerRequest === undefined ? {} : { dbCpuUsPerRequest }),
  };
}

/** a / b, or null when b is too small to divide by (a p99 under autocannon's 1 ms resolution). */
const ratio = (a: number, b: number | undefined, least = 1) => (b === undefined || b < least ? null : round(a / b));

/** The server against the bare Express floor, the node:http baseline and (with --compare) its older build. */
export function ratios(row: Row): {
  throughput: number | null;
  p99: number | null;
  vsExpress: { throughput: number | null; p99: number | null; cpu: number | null };
  vsPrevious?: { throughput: number | null; p99: number | null; cpu: number | null };
  vsService?: { throughput: number | null; p99: number | null; cpu: number | null };
} {
  const versus = (other: LoadResult) => ({
    throughput: ratio(row.server.rps, other.rps),
    p99: ratio(row.server.p99, other.p99),
    cpu: ratio(row.server.cpuUsPerRequest ?? 0, other.cpuUsPerRequest),
  });
  return {
    throughput: ratio(row.server.rps, row.baseline.rps),
    p99: ratio(row.server.p99, row.baseline.p99),
    vsExpress: row.express ? versus(row.express) : { throughput: null, p99: null, cpu: null },
    ...(row.previous ? { vsPrevious: versus(row.previous) } : {}),
    ...(row.service ? { vsService: versus(row.service) } : {}),
  };
}

const show = (n: number | null) => (n === null ? 'n/a' : n.toFixed(2));
const us = (r: LoadResult | undefined) => (r?.cpuUsPerRequest === undefined ? '-' : `${r.cpuUsPerRequest}`);
const dbUs = (r: LoadResult | undefined) => (r?.dbCpuUsPerRequest === undefined ? '-' : `${r.dbCpuUsPerRequest}`);

/**
 * One line per scenario and concurrency: rps, p99 and CPU µs per request of each target, and
 * the server's ratios to bare Express (s/e) and to node:http (s/n). A p99 ratio is n/a when the
 * floor's p99 is under autocannon's 1 ms resolution. With a database on this machine, also what
 * each request cost PostgreSQL (`db µs/req`), target by target.
 */
export function formatTable(rows: Row[]): string {
  const hasExpress = rows.some((row) => row.express);
  const hasPrevious = rows.some((row) => row.previous);
  const hasDb = rows.some((row) => row.server.dbCpuUsPerRequest !== undefined);
  const header = ['scenario', 'c', 'server rps'];
  if (hasExpress) header.push('express rps');
  header.push('node rps');
  if (hasExpress) header.push('**rps s/e**');
  header.push('rps s/n', 'server p50', 'server p99');
  if (hasExpress) header.push('express p99');
  header.push('node p99');
  if (hasExpress) header.push('**p99 s/e**');
  header.push('p99 s/n', 'cpu µs/req s');
  if (hasExpress) header.push('cpu µs/req e');
  header.push('cpu µs/req n');
  if (hasExpress) header.push('cpu s/e');
  if (hasDb) header.push(hasExpress ? 'db µs/req s/e/n' : 'db µs/req s/n');
  header.push(hasExpress ? 'errors s/e/n' : 'errors s/n');
  if (hasPrevious) header.push('prev rps', 'prev p99', 'cpu µs/req prev', 'rps s/prev', 'cpu s/prev');
  if (hasPrevious && hasDb) header.push('db µs/req prev');
  const hasService = rows.some((row) => row.service);
  if (hasService) header.push('same-work rps', 'rps s/w', 'p99 s/w', 'cpu µs/req w', 'cpu s/w');
  if (hasService && hasDb) header.push('db µs/req w');

  const lines = rows.map((row) => {
    const r = ratios(row);
    const cells = [row.scenario, String(row.connections), String(row.server.rps)];
    if (hasExpress) cells.push(String(row.express?.rps ?? '-'));
    cells.push(String(row.baseline.rps));
    if (hasExpress) cells.push(show(r.vsExpress.throughput));
    cells.push(show(r.throughput), `${row.server.p50} ms`, `${row.server.p99} ms`);
    if (hasExpress) cells.push(row.express ? `${row.express.p99} ms` : '-');
    cells.push(`${row.baseline.p99} ms`);
    if (hasExpress) cells.push(show(r.vsExpress.p99));
    cells.push(show(r.p99), us(row.server));
    if (hasExpress) cells.push(us(row.express));
    cells.push(us(row.baseline));
    if (hasExpress) cells.push(show(r.vsExpress.cpu));
    if (hasDb) {
      cells.push(
        hasExpress
          ? `${dbUs(row.server)}/${dbUs(row.express)}/${dbUs(row.baseline)}`
          : `${dbUs(row.server)}/${dbUs(row.baseline)}`,
      );
    }
    cells.push(
      hasExpress
        ? `${row.server.errors}/${row.express?.errors ?? '-'}/${row.baseline.errors}`
        : `${row.server.errors}/${row.baseline.errors}`,
    );
    if (hasPrevious) {
      const previous = row.previous;
      cells.push(
        previous ? String(previous.rps) : '-',
        previous ? `${previous.p99} ms` : '-',
        us(previous),
        show(r.vsPrevious?.throughput ?? null),
        show(r.vsPrevious?.cpu ?? null),
      );
      if (hasDb) cells.push(dbUs(previous));
    }
    if (hasService) {
      cells.push(
        row.service ? String(row.service.rps) : '-',
        show(r.vsService?.throughput ?? null),
        show(r.vsService?.p99 ?? null),
        us(row.service),
        show(r.vsService?.cpu ?? null),
      );
      if (hasDb) cells.push(dbUs(row.service));
    }
    return cells;
  });
  return markdown(header, lines);
}

/** RSS of each target after the runs, and the server's ratio to the floors. */
export function formatRss(rss: Rss): string {
  const header = ['RSS after the runs', 'server', 'express', 'node', 'server/express', 'server/node'];
  const cells = [
    'MB',
    String(rss.server),
    rss.express === undefined ? '-' : String(rss.express),
    String(rss.baseline),
    show(ratio(rss.server, rss.express)),
    show(ratio(rss.server, rss.baseline)),
  ];
  if (rss.previous !== undefined) {
    header.push('previous', 'server/previous');
    cells.push(String(rss.previous), show(ratio(rss.server, rss.previous)));
  }
  if (rss.service !== undefined) {
    header.push('same-work', 'server/same-work');
    cells.push(String(rss.service), show(ratio(rss.server, rss.service)));
  }
  return markdown(header, [cells]);
}

export type Target = { name: string; wanted: string; measured: number | null; met: boolean | null };

/**
 * The targets of issue 16, from this run: GET c=64 ≥ 0.9 × Express and p99 ≤ 1.2 × Express's,
 * PATCH c=16 ≥ 0.9 × node:http, RSS ≤ 1.1 × Express's. Null when the run did not measure it.
 */
export function targets(rows: Row[], rss: Rss): Target[] {
  const find = (scenario: string, c: number) => rows.find((r) => r.scenario === scenario && r.connections === c);
  const get64 = find('get', 64);
  const patch16 = find('patch', 16);
  const check = (name: string, wanted: string, measured: number | null, ok: (n: number) => boolean): Target => ({
    name,
    wanted,
    measured,
    met: measured === null ? null : ok(measured),
  });
  return [
    check('GET c=64 rps / Express', '≥ 0.90', get64 ? ratios(get64).vsExpress.throughput : null, (n) => n >= 0.9),
    check('GET c=64 p99 / Express', '≤ 1.20', get64 ? ratios(get64).vsExpress.p99 : null, (n) => n <= 1.2),
    check('PATCH c=16 rps / node:http', '≥ 0.90', patch16 ? ratios(patch16).throughput : null, (n) => n >= 0.9),
    check('RSS / Express', '≤ 1.10', ratio(rss.server, rss.express), (n) => n <= 1.1),
  ];
}

export function formatTargets(list: Target[]): string {
  return markdown(
    ['target', 'wanted', 'this run', 'met?'],
    list.map((t) => [t.name, t.wanted, show(t.measured), t.met === null ? 'not measured' : t.met ? 'yes' : 'no']),
  );
}

function markdown(header: string[], lines: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}
