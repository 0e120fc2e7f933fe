import type { LoadResult } from './load.js';

export type Row = {
  scenario: string;
  connections: number;
  server: LoadResult;
  baseline: LoadResult;
  /** An older build of the server (--compare). */
  previous?: LoadResult;
  /** Bare Express 5 + pg (--express-floor). */
  express?: LoadResult;
};

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The mean of several runs of one configuration (A B A B). */
export function meanOf(results: LoadResult[]): LoadResult {
  const mean = (pick: (r: LoadResult) => number) => results.reduce((sum, r) => sum + pick(r), 0) / results.length;
  return {
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    rps: Math.round(mean((r) => r.rps)),
    p50: round(mean((r) => r.p50)),
    p99: round(mean((r) => r.p99)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    ...(results.some((r) => r.notModified !== undefined)
      ? { notModified: results.reduce((sum, r) => sum + (r.notModified ?? 0), 0) }
      : {}),
  };
}

/** Server over baseline; the p99 ratio is null when the baseline's p99 is under autocannon's 1 ms resolution. */
export function ratios(row: Row): { throughput: number; p99: number | null } {
  return {
    throughput: round(row.server.rps / Math.max(1, row.baseline.rps)),
    p99: row.baseline.p99 >= 1 ? round(row.server.p99 / row.baseline.p99) : null,
  };
}

/** One table per scenario: the server beside the baseline, and their ratio. */
export function formatTable(rows: Row[]): string {
  const header = [
    'scenario',
    'c',
    'server rps',
    'base rps',
    'rps ratio',
    'server p50',
    'base p50',
    'server p99',
    'base p99',
    'p99 ratio',
    'errors s/b',
  ];
  const lines = rows.map((row) => {
    const r = ratios(row);
    return [
      row.scenario,
      String(row.connections),
      String(row.server.rps),
      String(row.baseline.rps),
      r.throughput.toFixed(2),
      `${row.server.p50} ms`,
      `${row.baseline.p50} ms`,
      `${row.server.p99} ms`,
      `${row.baseline.p99} ms`,
      r.p99 === null ? 'n/a (<1 ms)' : r.p99.toFixed(2),
      `${row.server.errors}/${row.baseline.errors}`,
    ];
  });
  if (rows.some((row) => row.previous)) {
    header.push('prev rps', 'prev p99', 'server/prev rps');
    rows.forEach((row, i) => {
      const previous = row.previous;
      if (!previous) return;
      lines[i]?.push(
        String(previous.rps),
        `${previous.p99} ms`,
        (row.server.rps / Math.max(1, previous.rps)).toFixed(2),
      );
    });
  }
  if (rows.some((row) => row.express)) {
    header.push('express rps', 'express p99');
    rows.forEach((row, i) => {
      if (row.express) lines[i]?.push(String(row.express.rps), `${row.express.p99} ms`);
    });
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}
