import type pg from 'pg';

/**
 * Seeds `count` users straight in SQL, fast enough for a million: about 85% with one to
 * three kinds of 100–2000 characters (nested objects, arrays, strings), the rest with none.
 * Room is left for the benchmark's own writes (public for the server, unsafe for the
 * baseline, up to 64 small keys each) under the 3000-character limit.
 * Returns the ids, for the load generator to pick from.
 */
export async function seedUsers(client: pg.Client, count: number): Promise<string[]> {
  const batch = 100_000;
  for (let done = 0; done < count; done += batch) {
    const n = Math.min(batch, count - done);
    await client.query(
      `with new_users as (
         insert into users (id) select gen_random_uuid() from generate_series(1, $1) returning id
       ), shaped as (
         select id, random() as r, random() as a, random() as b, random() as c from new_users
       ), kinds as (
         select id, r,
           case when r < 0.85 then jsonb_build_object(
             'role', (array['admin','member','viewer'])[1 + floor(a * 3)::int],
             'profile', jsonb_build_object('name', md5(id::text), 'langs', jsonb_build_array('en', 'de')),
             'bio', repeat(md5(id::text || 'p'), 2 + floor(a * 50)::int)) end as pub,
           case when r < 0.60 then jsonb_build_object(
             'internal_id', id,
             'notes', repeat(md5(id::text || 'q'), 2 + floor(b * 55)::int)) end as priv,
           case when r < 0.35 then jsonb_build_object(
             'prefs', jsonb_build_object('theme', 'dark', 'tags', jsonb_build_array(md5(id::text), 'x', 'y')),
             'note', repeat('ü', 60 + floor(c * 1300)::int)) end as uns
         from shaped
       )
       insert into user_metadata (user_id, public_metadata, private_metadata, unsafe_metadata)
       select id, pub, priv, uns from kinds where r < 0.85`,
      [n],
    );
  }
  await client.query('analyze users');
  await client.query('analyze user_metadata');
  const { rows } = await client.query<{ id: string }>('select id from users');
  return rows.map((row) => row.id);
}

/**
 * Copies the seeded users and metadata into another database whose schema its own server has
 * migrated (an older build, for --compare): each build then runs on its own schema, with the
 * same data, in the same PostgreSQL.
 */
export async function copyUsers(from: pg.Client, to: pg.Client, batch = 10_000): Promise<void> {
  const { rows: users } = await from.query<{ id: string }>('select id from users');
  for (let at = 0; at < users.length; at += batch) {
    const ids = users.slice(at, at + batch).map((row) => row.id);
    await to.query('insert into users (id) select unnest($1::uuid[])', [ids]);
  }
  const { rows: metadata } = await from.query(
    'select user_id, public_metadata, private_metadata, unsafe_metadata from user_metadata',
  );
  for (let at = 0; at < metadata.length; at += batch) {
    await to.query(
      `insert into user_metadata (user_id, public_metadata, private_metadata, unsafe_metadata)
       select * from jsonb_to_recordset($1::jsonb)
         as x(user_id uuid, public_metadata jsonb, private_metadata jsonb, unsafe_metadata jsonb)`,
      [JSON.stringify(metadata.slice(at, at + batch))],
    );
  }
  await to.query('analyze users');
  await to.query('analyze user_metadata');
}
