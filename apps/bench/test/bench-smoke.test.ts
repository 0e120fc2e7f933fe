import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNode, startTestDatabase } from '@usermeta/server/testing';
import { describe, expect, it } from 'vitest';

const run = (script: string, args: string[]) =>
  runNode(fileURLToPath(new URL(`../dist/${script}`, import.meta.url)), args);

// Smoke runs only: they prove the tools work end to end and that nothing errs or loses a
// write. They assert no timing; the numbers live in docs/benchmarks.md.
describe('benchmark and soak, as short smoke runs', () => {
  it('when the benchmark runs briefly, then it prints the table, with 0 errors and 0 lost updates', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'usermeta-bench-')), 'smoke.json');
    const result = await run('bench.js', ['--smoke', '--keys', '--service-floor', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\| scenario \| c +\| server rps/);
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report.rows.map((row: { scenario: string }) => row.scenario)).toEqual(['get', 'patch', 'mixed', 'get304']);
    // Every scenario ran on every target, unmeasured, before its rounds (1 s in a smoke run).
    expect(report.settings.warmupSec).toBe(1);
    for (const scenario of report.rows.map((row: { scenario: string }) => row.scenario)) {
      expect(result.stderr).toContain(`${scenario}: warm-up, 1s per target`);
    }
    const notModified = report.rows.find((row: { scenario: string }) => row.scenario === 'get304');
    expect(notModified.server.notModified).toBe(notModified.server.requests);
    // All the targets in one rotation: the server, bare Express 5, node:http and (--service-floor)
    // bare Express 5 around the server's data layer, each with its CPU per request.
    expect(result.stdout).toMatch(/\| same-work rps \| rps s\/w/);
    for (const row of report.rows) {
      for (const target of [row.server, row.express, row.baseline, row.service]) {
        expect(target.errors).toBe(0);
        expect(target.requests).toBeGreaterThan(0);
        expect(target.cpuUsPerRequest).toBeGreaterThan(0);
      }
    }
    // With PostgreSQL on this machine (always, without DATABASE_URL: the embedded one), each
    // request's cost to the database is measured too.
    if (!process.env.DATABASE_URL) expect(report.databaseCpuMeasured).toBe(true);
    if (report.databaseCpuMeasured) {
      expect(result.stdout).toMatch(/db µs\/req s\/e\/n/);
      const patches = report.rows.find((row: { scenario: string }) => row.scenario === 'patch');
      for (const target of [patches.server, patches.express, patches.baseline, patches.service]) {
        expect(target.dbCpuUsPerRequest).toBeGreaterThan(0);
      }
    }
    expect(result.stdout).toMatch(/\| RSS after the runs \| server \| express \| node/);
    for (const rss of Object.values(report.rssAfterRunsMb)) expect(rss).toBeGreaterThan(0);
    expect(report.targets.map((t: { name: string }) => t.name)).toEqual([
      'GET c=64 rps / Express',
      'GET c=64 p99 / Express',
      'PATCH c=16 rps / node:http',
      'RSS / Express',
    ]);
    expect(report.lostUpdates.checked).toBeGreaterThan(0);
    expect(report.lostUpdates.lost).toBe(0);
    // GET with a key from the database beside a root key: every request authenticated and answered.
    expect(report.keyComparison).toHaveLength(1);
    for (const row of report.keyComparison) {
      expect(row.root.errors).toBe(0);
      expect(row.database.errors).toBe(0);
      expect(row.database.requests).toBeGreaterThan(0);
    }
    expect(report.webhooks.patchNoWebhook.requests).toBeGreaterThan(0);
    expect(report.webhooks.patchOneWebhook.requests).toBeGreaterThan(0);
    expect(report.webhooks.backlog.delivered).toBeGreaterThanOrEqual(report.webhooks.backlog.acknowledged);
    expect(report.webhooks.steady.received).toBe(report.webhooks.steady.sent);
  });

  it('when the listing scenario runs briefly, then both pages answer with 0 errors, each with its plan', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'usermeta-bench-')), 'listing.json');
    const result = await run('bench.js', ['--smoke', '--scenarios', 'list', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\| users +\| matching \| scenario/);
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report.rows).toEqual([]);
    expect(report.listing.map((row: { scenario: string }) => row.scenario)).toEqual(['list', 'list-filtered']);
    for (const row of report.listing) {
      expect(row.errors).toBe(0);
      expect(row.rps).toBeGreaterThan(0);
      expect(row.plan.join('\n')).toMatch(/Execution Time/);
    }
  });

  it('when the infra costs run briefly, then PgBouncer, scraping and tracing each answer beside the direct server with 0 errors', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'usermeta-bench-')), 'infra.json');
    const result = await run('bench.js', [
      '--smoke',
      '--scenarios',
      'get',
      '--webhooks',
      'off',
      '--infra-costs',
      '--infra-scenarios',
      'get',
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\| scenario \| c \| variant \| rps \| rps \/ direct/);
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report.infraCosts.rows.map((row: { variant: string }) => row.variant)).toEqual([
      'direct',
      'scraped',
      'unnamed',
      'pgbouncer',
      'tracing',
    ]);
    for (const row of report.infraCosts.rows) {
      expect(row.result.errors).toBe(0);
      expect(row.result.requests).toBeGreaterThan(0);
      expect(row.result.cpuUsPerRequest).toBeGreaterThan(0);
    }
    const pooled = report.infraCosts.rows.find((row: { variant: string }) => row.variant === 'pgbouncer');
    expect(pooled.poolerCpuUsPerRequest).toBeGreaterThanOrEqual(0);
    // The scraper was answered, and the traced server's spans reached the sink (flushed on its stop at the latest).
    expect(report.infraCosts.scrapes.ok).toBeGreaterThan(0);
    expect(report.infraCosts.traceExports.requests).toBeGreaterThan(0);
  });

  it('when a database is seeded once for the listing, then the listing runs on it with the page size asked for', async () => {
    const database = await startTestDatabase();
    try {
      const seeded = await run('seed-listing.js', [database.url, '400']);
      expect(seeded.code, seeded.stderr).toBe(0);
      expect(seeded.stdout).toMatch(/^400 users \(\d+ match the selective filter\)/);
      const out = join(await mkdtemp(join(tmpdir(), 'usermeta-bench-')), 'listing-seeded.json');
      // The same database twice: two servers, measured in turn, as two sizes would be.
      const urls = `${database.url},${database.url}`;
      const args = [
        '--smoke',
        '--scenarios',
        'list',
        '--listing-databases',
        urls,
        '--listing-limit',
        '5',
        '--out',
        out,
      ];
      const result = await run('bench.js', args);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(await readFile(out, 'utf8'));
      expect(report.limit).toBe(5);
      expect(report.listing.map((row: { scenario: string }) => row.scenario)).toEqual([
        'list',
        'list-filtered',
        'list',
        'list-filtered',
      ]);
      for (const row of report.listing) {
        expect(row.users).toBe(400);
        expect(row.errors).toBe(0);
        expect(row.rps).toBeGreaterThan(0);
        expect(row.plan.join('\n')).toMatch(/Execution Time/);
      }
    } finally {
      await database.stop();
    }
  });

  it('when the soak runs briefly, then it reports RSS samples, 0 errors and 0 lost updates', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'usermeta-soak-')), 'soak.json');
    const result = await run('soak.js', ['--duration', '4', '--users', '500', '--out', out]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report.result.errors).toBe(0);
    expect(report.lostUpdates.lost).toBe(0);
    expect(report.rss.samples.length).toBeGreaterThanOrEqual(3);
  });
});
