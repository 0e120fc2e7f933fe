import { startTestDatabase } from '@usermeta/server/testing';
import pg from 'pg';
import { markSelectiveUsers } from './listing.js';
import { seedUsers } from './seed.js';

/**
 * Seeds a database (migrated first) up to the given number of users, for the listing scenario
 * to run on again and again (`bench --listing-databases`) without seeding a million users each
 * time: `node dist/seed-listing.js postgres://…/listing1m 1000000`.
 */
const [url, wanted] = process.argv.slice(2);
if (!url || !wanted) {
  process.stderr.write('usage: seed-listing.js <database url> <users>\n');
  process.exit(2);
}
process.env.DATABASE_URL = url;
await startTestDatabase();
const sql = new pg.Client({ connectionString: url });
await sql.connect();
try {
  const { rows } = await sql.query<{ n: string }>('select count(*) as n from users');
  const have = Number(rows[0]?.n ?? 0);
  const started = Date.now();
  if (Number(wanted) > have) await seedUsers(sql, Number(wanted) - have);
  const matching = await markSelectiveUsers(sql);
  process.stdout.write(
    `${Math.max(have, Number(wanted))} users (${matching} match the selective filter); seeded in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
} finally {
  await sql.end();
}
