import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startTestDatabase } from '@usermeta/server/testing';
import pg from 'pg';
import { countLostUpdates } from './ledger.js';
import { type PatchLedger, runLoad } from './load.js';
import { rssMb, startServer } from './processes.js';
import { seedUsers } from './seed.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    users: { type: 'string', default: '10000' },
    connections: { type: 'string', default: '64' },
    'max-rss-growth-mb': { type: 'string', default: '30' },
    out: { type: 'string' },
  },
});

const API_KEY = 'soak-key-0123456789abcdef';
const durationSec = Number(args.duration);
const connections = Number(args.connections);
const maxGrowth = Number(args['max-rss-growth-mb']);
const log = (line: string) => process.stderr.write(`${line}\n`);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * Sustained load: 90% GET / 10% PATCH at c=64 for --duration seconds against the production
 * build, sampling the server's RSS every second. Fails (exit 1) on any error, any lost update,
 * or RSS growing more than --max-rss-growth-mb from the first to the last quarter of the run.
 */
async function main(): Promise<void> {
  const database = await startTestDatabase();
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  const server = await (async () => {
    const ids = await seedUsers(sql, Number(args.users));
    const target = await startServer({ databaseUrl: database.url, apiKey: API_KEY, workers: 1, logLevel: 'info' });
    return { ids, target };
  })();
  try {
    const { ids, target } = server;
    await runLoad({ url: target.url, apiKey: API_KEY, ids, connections: 16, mix: 'get', durationSec: 2 });
    log(`soak: ${durationSec}s of 90/10 GET/PATCH at c=${connections} on ${ids.length} users`);

    const samples: Array<{ second: number; rssMb: number }> = [];
    const started = Date.now();
    const sampler = setInterval(() => {
      void rssMb(target.pid).then((rss) =>
        samples.push({ second: Math.round((Date.now() - started) / 1000), rssMb: rss }),
      );
    }, 1000);
    const ledger: PatchLedger = new Map();
    const result = await runLoad({
      url: target.url,
      apiKey: API_KEY,
      ids,
      connections,
      mix: 'mixed',
      durationSec,
      ledger,
    });
    clearInterval(sampler);
    const updates = await countLostUpdates(sql, ledger);

    const quarter = Math.max(1, Math.floor(samples.length / 4));
    const early = mean(samples.slice(0, quarter).map((s) => s.rssMb));
    const late = mean(samples.slice(-quarter).map((s) => s.rssMb));
    const growth = Math.round((late - early) * 10) / 10;
    const max = Math.max(...samples.map((s) => s.rssMb));
    const step = Math.max(1, Math.floor(samples.length / 10));
    process.stdout.write(
      `\nRSS over time (s: MB): ${samples
        .filter((_, i) => i % step === 0)
        .map((s) => `${s.second}: ${s.rssMb}`)
        .join(', ')}\n`,
    );
    process.stdout.write(
      `requests ${result.requests}, ${result.rps} rps, p50 ${result.p50} ms, p99 ${result.p99} ms, errors ${result.errors}\n` +
        `lost updates ${updates.lost} of ${updates.checked}; RSS first quarter ${early.toFixed(1)} MB, last quarter ${late.toFixed(1)} MB, growth ${growth} MB, max ${max} MB\n`,
    );

    const report = {
      durationSec,
      connections,
      result,
      lostUpdates: updates,
      rss: { samples, early, late, growth, max },
    };
    const out = args.out ?? fileURLToPath(new URL('../results/soak.json', import.meta.url));
    await mkdir(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
    await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);

    const failures = [
      result.errors > 0 ? `${result.errors} errors` : '',
      updates.lost > 0 ? `${updates.lost} lost updates` : '',
      growth > maxGrowth ? `RSS grew ${growth} MB (limit ${maxGrowth})` : '',
    ].filter(Boolean);
    process.stdout.write(failures.length ? `soak: FAILED: ${failures.join(', ')}\n` : 'soak: passed\n');
    if (failures.length) process.exitCode = 1;
  } finally {
    await server.target.stop();
    await sql.end();
    await database.stop();
  }
}

await main();
