import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startTestDatabase } from '@usermeta/server/testing';
import pg from 'pg';
import { formatInfraTable, type InfraCosts, runInfraCosts } from './infra-costs.js';
import { compareKeys, formatKeyTable, type KeyComparisonRow, makeDatabaseKey } from './key-compare.js';
import { countLostUpdates } from './ledger.js';
import { formatListingTable, type ListingRow, runListing } from './listing.js';
import { runListingOnDatabases } from './listing-seeded.js';
import { fetchETags, type LoadResult, type Mix, type PatchLedger, runLoad } from './load.js';
import {
  clusterCpuSeconds,
  cpuSeconds,
  postmasterPid,
  rssMb,
  startBaseline,
  startServer,
  type Target,
} from './processes.js';
import {
  formatRss,
  formatTable,
  formatTargets,
  meanOf,
  type Row,
  type Rss,
  ratios,
  targets as targetsOf,
} from './report.js';
import { copyUsers, seedUsers } from './seed.js';
import { runWebhookBench, type WebhookBenchResult } from './webhook-bench.js';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '1,16,64' },
    scenarios: { type: 'string', default: 'get,patch,mixed,get304' },
    rounds: { type: 'string', default: '2' },
    /**
     * Seconds each target runs a scenario, unmeasured, before that scenario's rounds: V8 compiles
     * and re-compiles a code path for its first seconds under load, and a larger program (the
     * server) takes longer to settle than the floors (docs/benchmarks.md, "Issue 16, fourth pass").
     */
    warmup: { type: 'string', default: '10' },
    workers: { type: 'string', default: '1' },
    requests: { type: 'string', default: '0' },
    'growth-users': { type: 'string', default: '0' },
    'listing-users': { type: 'string' },
    /** Databases seeded by seed-listing.js: the listing scenario on each, interleaved (nothing else runs). */
    'listing-databases': { type: 'string' },
    /** With --listing-databases: the page size (default 20, the issue's scenario). */
    'listing-limit': { type: 'string', default: '20' },
    'log-level': { type: 'string', default: 'info' },
    smoke: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    compare: { type: 'string' },
    'compare-node': { type: 'string' },
    /**
     * Also bare Express 5 around the server's own data layer ("same-work", service-floor-server.ts):
     * the same database work as the server without its HTTP layer, in the same rotation.
     */
    'service-floor': { type: 'boolean', default: false },
    /** Accepted for older command lines: bare Express is in the default rotation now. */
    'express-floor': { type: 'boolean', default: false },
    /** GET with a key from the database against a root key, on the same server, A B A B. */
    keys: { type: 'boolean', default: false },
    /** `off` skips the webhook section (PATCH with one endpoint vs none, commit-to-receipt). */
    webhooks: { type: 'string', default: 'on' },
    'webhook-rate': { type: 'string', default: '50' },
    /**
     * The cost of PgBouncer (transaction mode), of /metrics scraping and of OTLP tracing, each beside
     * the direct server in one rotation (infra-costs.ts); needs Debian's pgbouncer.
     */
    'infra-costs': { type: 'boolean', default: false },
    'infra-scenarios': { type: 'string', default: 'get,patch' },
    'infra-connections': { type: 'string', default: '16' },
    out: { type: 'string' },
  },
});

const smoke = args.smoke;
const users = smoke ? 500 : Number(args.users);
const durationSec = smoke ? 1 : Number(args.duration);
const connections = (smoke ? '16' : args.connections).split(',').map(Number);
const requested = args.scenarios.split(',').filter(Boolean);
/** `list` is the listing scenario (its own section: the server only, at one or more table sizes). */
const listing = requested.includes('list');
const scenarios = requested.filter((name) => name !== 'list') as Mix[];
const rounds = smoke ? 1 : Number(args.rounds);
const warmupSec = smoke ? 1 : Number(args.warmup);
const API_KEY = 'bench-key-0123456789abcdef';
const log = (line: string) => process.stderr.write(`${line}\n`);
/** get304 requests these many users (their ETags are read first). */
const ETAGGED_USERS = 2000;

/** `--listing-databases`: the listing scenario on databases seeded beforehand, nothing else. */
async function listingOnDatabases(urls: string): Promise<void> {
  const startedAt = new Date();
  log(
    `bench: listing on ${urls.split(',').length} seeded databases, ${durationSec}s per run, ${rounds} round(s) interleaved`,
  );
  const listing = await runListingOnDatabases({
    databaseUrls: urls.split(','),
    apiKey: API_KEY,
    connections,
    durationSec,
    rounds,
    logLevel: args['log-level'],
    limit: Number(args['listing-limit']),
    log,
  });
  process.stdout.write(`${formatListingTable(listing)}\n\n`);
  const out = args.out ?? fileURLToPath(new URL('../results/listing.json', import.meta.url));
  await mkdir(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
  await writeFile(
    out,
    `${JSON.stringify({ startedAt: startedAt.toISOString(), durationSec, rounds, limit: Number(args['listing-limit']), listing }, null, 2)}\n`,
  );
  process.stdout.write(`written ${out}\n`);
  if (listing.some((row) => row.errors > 0)) process.exitCode = 1;
}

async function main(): Promise<void> {
  if (args['listing-databases']) return listingOnDatabases(args['listing-databases']);
  const startedAt = new Date();
  // Every target runs on this Node (process.execPath) unless --compare-node says otherwise: run the
  // bench through `pnpm bench` (Node 24 from the workspace), not a shell's own `node`.
  log(
    `bench: Node ${process.version}, ${users} users, ${durationSec}s per run after ${warmupSec}s of warm-up per scenario, c=${connections.join('/')}, ${rounds} round(s) A/B`,
  );
  const database = await startTestDatabase();
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  const targets: Target[] = [];
  try {
    let t = Date.now();
    const ids = await seedUsers(sql, users);
    // The database's CPU per request too, when PostgreSQL runs on this machine (the embedded one).
    const postmaster = await postmasterPid(sql);
    const databaseCpu = async () => (postmaster === undefined ? undefined : clusterCpuSeconds(postmaster));
    log(`seeded ${ids.length} users in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    const workers = Number(args.workers);
    const cpuProfileDir = args['cpu-prof']
      ? fileURLToPath(new URL('../results/profiles/', import.meta.url))
      : undefined;
    const server = await startServer({
      databaseUrl: database.url,
      apiKey: API_KEY,
      workers,
      logLevel: args['log-level'],
      ...(cpuProfileDir ? { cpuProfileDir } : {}),
    });
    const profileFloors = cpuProfileDir ? { cpuProfileDir } : {};
    const baseline = await startBaseline({ databaseUrl: database.url, apiKey: API_KEY, ...profileFloors });
    const express = await startBaseline({
      databaseUrl: database.url,
      apiKey: API_KEY,
      floor: 'express',
      ...profileFloors,
    });
    targets.push(server, express, baseline);
    if (args['service-floor']) {
      targets.push(
        await startBaseline({ databaseUrl: database.url, apiKey: API_KEY, floor: 'service', ...profileFloors }),
      );
    }
    if (args.compare) {
      // The older build gets a database of its own in the same PostgreSQL: it migrates it to its
      // own schema at start (it would refuse one migrated by a newer build), then gets a copy of
      // the seeded data.
      const previousUrl = new URL(database.url);
      previousUrl.pathname = '/bench_previous';
      await sql.query('drop database if exists bench_previous');
      await sql.query('create database bench_previous');
      targets.push(
        await startServer({
          databaseUrl: previousUrl.href,
          apiKey: API_KEY,
          workers,
          logLevel: args['log-level'],
          main: args.compare,
          ...(args['compare-node'] ? { node: args['compare-node'] } : {}),
        }),
      );
      const previous = new pg.Client({ connectionString: previousUrl.href });
      await previous.connect();
      try {
        await copyUsers(sql, previous);
      } finally {
        await previous.end();
      }
      log('copied the seeded users into bench_previous for the older build');
    }

    for (const target of targets) {
      await runLoad({ url: target.url, apiKey: API_KEY, ids, connections: 16, mix: 'get', durationSec: smoke ? 1 : 2 });
    }
    const rssAfterWarmup = await rssMb(server.pid);

    let keyComparison: KeyComparisonRow[] | undefined;
    if (args.keys) {
      const databaseKey = await makeDatabaseKey(server.url, API_KEY);
      // Warm the database key's path too (first use writes last_used_at once).
      await runLoad({ url: server.url, apiKey: databaseKey, ids, connections: 16, mix: 'get', durationSec: 1 });
      keyComparison = await compareKeys({
        url: server.url,
        rootKey: API_KEY,
        databaseKey,
        ids,
        connections,
        durationSec,
        rounds,
        log,
      });
    }

    const ledger: PatchLedger = new Map();
    /** The server's writes go in the ledger; the floors' shallow merge must not clobber them. */
    const loadOptionsOf = (target: Target) => ({
      // The same-work floor writes the server's kind through the server's own merge: its writes are checked too.
      ...(target.name === 'server' || target.name === 'service' ? { ledger } : {}),
      ...(target.name === 'baseline' || target.name === 'express' ? { writeKind: 'unsafe_metadata' as const } : {}),
    });
    const rows: Row[] = [];
    for (const mix of scenarios) {
      // The ETags are read just before the scenario, which only reads, so they stay current in it.
      const etags = mix === 'get304' ? await fetchETags(server.url, API_KEY, ids.slice(0, ETAGGED_USERS)) : undefined;
      if (etags) log(`get304: read the ETags of ${etags.size} users`);
      if (warmupSec > 0) {
        const c = Math.max(...connections);
        log(`  ${mix}: warm-up, ${warmupSec}s per target at c=${c} (not measured)`);
        for (const target of targets) {
          await runLoad({
            url: target.url,
            apiKey: API_KEY,
            ids,
            connections: c,
            mix,
            durationSec: warmupSec,
            ...loadOptionsOf(target),
            ...(etags ? { etags } : {}),
          });
        }
      }
      for (const c of connections) {
        const runs: Record<Target['name'], LoadResult[]> = {
          server: [],
          baseline: [],
          previous: [],
          express: [],
          service: [],
        };
        for (let round = 0; round < rounds; round++) {
          // Each round starts with the next target, so that no target always runs first (or
          // right after the same one): a control run of one build in two slots found the slots unequal.
          const order = [...targets.slice(round % targets.length), ...targets.slice(0, round % targets.length)];
          for (const target of order) {
            const cpuBefore = await cpuSeconds(target.pid);
            const dbCpuBefore = await databaseCpu();
            const result = await runLoad({
              url: target.url,
              apiKey: API_KEY,
              ids,
              connections: c,
              mix,
              durationSec,
              ...loadOptionsOf(target),
              ...(etags ? { etags } : {}),
            });
            const cpu = (await cpuSeconds(target.pid)) - cpuBefore;
            const dbCpuAfter = await databaseCpu();
            if (result.requests > 0) {
              result.cpuUsPerRequest = Math.round((cpu * 1e6) / result.requests);
              if (dbCpuBefore !== undefined && dbCpuAfter !== undefined) {
                result.dbCpuUsPerRequest = Math.round(((dbCpuAfter - dbCpuBefore) * 1e6) / result.requests);
              }
            }
            runs[target.name].push(result);
            log(
              `  ${mix} c=${c} ${target.name}: ${result.rps} rps, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.cpuUsPerRequest ?? '-'} µs CPU/req${result.dbCpuUsPerRequest === undefined ? '' : ` (+${result.dbCpuUsPerRequest} in PostgreSQL)`}, ${result.errors} errors${result.notModified === undefined ? '' : `, ${result.notModified} × 304`}`,
            );
          }
        }
        rows.push({
          scenario: mix,
          connections: c,
          server: meanOf(runs.server),
          baseline: meanOf(runs.baseline),
          ...(runs.previous.length ? { previous: meanOf(runs.previous) } : {}),
          ...(runs.express.length ? { express: meanOf(runs.express) } : {}),
          ...(runs.service.length ? { service: meanOf(runs.service) } : {}),
        });
      }
    }
    const updates = await countLostUpdates(sql, ledger);
    // After every scenario, before the long run: each target has served the same rotation.
    const rss: Rss = {
      server: await rssMb(server.pid),
      baseline: await rssMb(baseline.pid),
      express: await rssMb(express.pid),
      ...(targets.some((t) => t.name === 'previous')
        ? { previous: await rssMb(targets.find((t) => t.name === 'previous')?.pid ?? 0) }
        : {}),
      ...(targets.some((t) => t.name === 'service')
        ? { service: await rssMb(targets.find((t) => t.name === 'service')?.pid ?? 0) }
        : {}),
    };
    const targetsMet = targetsOf(rows, rss);

    let webhooks: WebhookBenchResult | undefined;
    if (args.webhooks !== 'off') {
      log('webhooks: PATCH with one endpoint vs none, then commit-to-receipt at a steady rate');
      webhooks = await runWebhookBench({
        url: server.url,
        apiKey: API_KEY,
        ids,
        connections: 16,
        durationSec,
        rounds,
        ratePerSec: Number(args['webhook-rate']),
        log,
      });
    }

    let infraCosts: InfraCosts | undefined;
    if (args['infra-costs']) {
      log('infra costs: PgBouncer, /metrics scraping and tracing, each beside the direct server');
      infraCosts = await runInfraCosts({
        databaseUrl: database.url,
        direct: server,
        apiKey: API_KEY,
        logLevel: args['log-level'],
        ids,
        scenarios: args['infra-scenarios'].split(',').filter(Boolean) as Mix[],
        connections: (smoke ? '16' : args['infra-connections']).split(',').map(Number),
        durationSec,
        rounds,
        log,
      });
    }

    let memory: { requests: number; rssAfterWarmupMb: number; rssAfterMb: number } | undefined;
    const longRun = Number(args.requests);
    if (longRun > 0) {
      // Warm up at the long run's own concurrency until the heap has grown to its working size
      // (the soak shows RSS levelling off within ~10 s), so that the run measures growth, not warm-up.
      await runLoad({ url: server.url, apiKey: API_KEY, ids, connections: 64, mix: 'get', durationSec: 15 });
      const before = await rssMb(server.pid);
      t = Date.now();
      const result = await runLoad({
        url: server.url,
        apiKey: API_KEY,
        ids,
        connections: 64,
        mix: 'get',
        amount: longRun,
      });
      memory = { requests: result.requests, rssAfterWarmupMb: before, rssAfterMb: await rssMb(server.pid) };
      log(`long run: ${result.requests} GETs in ${((Date.now() - t) / 1000).toFixed(0)} s, ${result.errors} errors`);
    }

    let growth: Array<{ users: number; p50c1: number; p50c16: number }> | undefined;
    const growthUsers = Number(args['growth-users']);
    if (growthUsers > ids.length) {
      const measure = async (count: number, pool: string[]) => {
        const c1 = await runLoad({
          url: server.url,
          apiKey: API_KEY,
          ids: pool,
          connections: 1,
          mix: 'get',
          durationSec,
        });
        const c16 = await runLoad({
          url: server.url,
          apiKey: API_KEY,
          ids: pool,
          connections: 16,
          mix: 'get',
          durationSec,
        });
        return { users: count, p50c1: c1.p50, p50c16: c16.p50 };
      };
      growth = [await measure(ids.length, ids)];
      t = Date.now();
      const all = await seedUsers(sql, growthUsers - ids.length);
      log(`seeded up to ${all.length} users in ${((Date.now() - t) / 1000).toFixed(0)} s`);
      await sql.query('vacuum analyze user_metadata');
      growth.push(await measure(all.length, all));
    }

    let listingRows: ListingRow[] | undefined;
    if (listing) {
      const sizes = (args['listing-users'] ?? String(users)).split(',').map(Number);
      listingRows = await runListing({
        sql,
        databaseUrl: database.url,
        serverUrl: server.url,
        apiKey: API_KEY,
        seeded: ids.length,
        sizes,
        connections,
        durationSec,
        rounds,
        log,
      });
    }

    if (rows.length > 0) {
      process.stdout.write(`\n${formatTable(rows)}\n\n${formatRss(rss)}\n\n${formatTargets(targetsMet)}\n\n`);
    }
    if (keyComparison) process.stdout.write(`${formatKeyTable(keyComparison)}\n\n`);
    if (listingRows) process.stdout.write(`${formatListingTable(listingRows)}\n\n`);
    if (infraCosts) process.stdout.write(`${formatInfraTable(infraCosts)}\n\n`);
    process.stdout.write(`lost updates: ${updates.lost} of ${updates.checked} acknowledged PATCH writes checked\n`);
    process.stdout.write(`server RSS after warm-up: ${rssAfterWarmup} MB\n`);
    if (webhooks) {
      const w = webhooks;
      process.stdout.write(
        `PATCH c=${w.connections}: no webhook ${w.patchNoWebhook.rps} rps (p99 ${w.patchNoWebhook.p99} ms), ` +
          `one webhook ${w.patchOneWebhook.rps} rps (p99 ${w.patchOneWebhook.p99} ms); ` +
          `${w.backlog.delivered} of ${w.backlog.acknowledged} deliveries in, backlog drained in ${w.backlog.drainMs} ms\n`,
      );
      process.stdout.write(
        `commit-to-receipt at ${w.steady.ratePerSec} PATCH/s: p50 ${w.steady.p50Ms} ms, p99 ${w.steady.p99Ms} ms, ` +
          `max ${w.steady.maxMs} ms (${w.steady.received} of ${w.steady.sent} received)\n`,
      );
    }
    if (memory) {
      process.stdout.write(
        `server RSS after a 15 s warm-up at c=64: ${memory.rssAfterWarmupMb} MB; after ${memory.requests} more requests: ${memory.rssAfterMb} MB\n`,
      );
    }
    if (growth) {
      for (const g of growth)
        process.stdout.write(`GET p50 at ${g.users} users: c=1 ${g.p50c1} ms, c=16 ${g.p50c16} ms\n`);
    }

    const report = {
      startedAt: startedAt.toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        memoryGb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      settings: {
        users,
        durationSec,
        warmupSec,
        connections,
        rounds,
        workers,
        scenarios: requested,
        listingUsers: args['listing-users'],
        smoke,
        compare: args.compare,
        compareNode: args['compare-node'],
        keys: args.keys,
        serviceFloor: args['service-floor'],
        infraCosts: args['infra-costs'],
      },
      rows: rows.map((row) => ({ ...row, ratio: ratios(row) })),
      // Each row's dbCpuUsPerRequest is there only when PostgreSQL runs on this machine.
      databaseCpuMeasured: postmaster !== undefined,
      lostUpdates: updates,
      webhooks,
      rssAfterWarmupMb: rssAfterWarmup,
      rssAfterRunsMb: rss,
      targets: targetsMet,
      memory,
      growth,
      listing: listingRows,
      keyComparison,
      infraCosts,
    };
    const out = args.out ?? fileURLToPath(new URL(`../results/${smoke ? 'smoke' : 'latest'}.json`, import.meta.url));
    await mkdir(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
    await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`written ${out}\n`);
    if (cpuProfileDir)
      process.stdout.write(
        `CPU profiles of the server, bare Express and node:http in ${cpuProfileDir} (open in Chrome DevTools)\n`,
      );

    const errors =
      rows.reduce((sum, row) => sum + row.server.errors + row.baseline.errors + (row.express?.errors ?? 0), 0) +
      (listingRows ?? []).reduce((sum, row) => sum + row.errors, 0) +
      (keyComparison ?? []).reduce((sum, row) => sum + row.root.errors + row.database.errors, 0) +
      (infraCosts?.rows ?? []).reduce((sum, row) => sum + row.result.errors, 0) +
      (webhooks ? webhooks.patchNoWebhook.errors + webhooks.patchOneWebhook.errors : 0) +
      (webhooks && webhooks.steady.received < webhooks.steady.sent ? 1 : 0);
    if (errors > 0 || updates.lost > 0) {
      process.stderr.write(`bench: ${errors} errors, ${updates.lost} lost updates\n`);
      process.exitCode = 1;
    }
  } finally {
    for (const target of targets) await target.stop();
    await sql.end();
    await database.stop();
  }
}

await main();
