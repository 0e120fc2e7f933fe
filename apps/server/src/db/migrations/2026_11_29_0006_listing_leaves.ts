import { type Kysely, sql } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.

/** Metadata rows per backfill statement (~0.1–0.5 s each on the loaded 2-core machine). */
const BACKFILL_BATCH = 1000;

/**
 * An index of metadata leaves ordered by the user's creation time, so that a filtered listing
 * page costs the same at any table size (docs/listing.md, "Leaves").
 *
 * The GIN indexes of 0003 find every row that contains a filter, but in no useful order: a
 * page of a filter matching 0.1 % of a million users had to fetch and recheck all 1 000
 * matches before sorting them. Here every scalar of a kind, with the keys leading to it
 * (array positions left out, as `jsonb_path_ops` does), is hashed into one `leaf`:
 * `{"plan":"team"}` → hash of `public_metadata ["plan", "team"]`. A row contains a filter
 * only if it has every leaf of the filter (a necessary condition; `@>` on the row stays the
 * exact test), so walking one of the filter's leaves in `(user_created_at desc, user_id desc)`
 * order and checking `@>` on each candidate yields the matches already in the listing's order,
 * and the walk stops after a page.
 *
 * - `user_metadata_leaf_hashes(kind, doc)`: the distinct leaves of a document, numbers
 *   normalised (`1.0` and `1` are one leaf, as `@>` treats them).
 * - `user_metadata_leaves`: one row per (user, leaf), primary key starting with `user_id`
 *   (the distribution column under Citus), deleted with the metadata row.
 * - a trigger on `user_metadata` keeps it, for the kinds an insert or update changed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function user_metadata_leaf_hashes(kind text, doc jsonb) returns bigint[]
    language sql immutable strict parallel safe as $$
      with recursive walk(path, value) as (
        select jsonb_build_array(kind), doc
        union all
        select case when e.key is null then w.path else w.path || to_jsonb(e.key) end, e.value
        from walk w
        cross join lateral (
          select key, value from jsonb_each(case when jsonb_typeof(w.value) = 'object' then w.value end)
          union all
          select null, value from jsonb_array_elements(case when jsonb_typeof(w.value) = 'array' then w.value end)
        ) e
      )
      select coalesce(array_agg(distinct hashtextextended((path || jsonb_build_array(
        case when jsonb_typeof(value) = 'number' then to_jsonb(trim_scale(value::numeric)) else value end))::text, 0)), '{}')
      from walk
      where jsonb_typeof(value) not in ('object', 'array')
    $$`.execute(db);

  await sql`
    create table user_metadata_leaves (
      user_id uuid not null references user_metadata (user_id) on delete cascade,
      leaf bigint not null,
      user_created_at timestamptz not null,
      primary key (user_id, leaf)
    )`.execute(db);

  // One kind's leaves from its old to its new document: only the difference is written.
  await sql`
    create function user_metadata_replace_leaves(
      for_user uuid, user_created_at timestamptz, kind text, old_doc jsonb, new_doc jsonb
    ) returns void language plpgsql as $$
    declare
      old_leaves bigint[] := coalesce(user_metadata_leaf_hashes(kind, old_doc), '{}');
      new_leaves bigint[] := coalesce(user_metadata_leaf_hashes(kind, new_doc), '{}');
    begin
      delete from user_metadata_leaves l
        where l.user_id = for_user and l.leaf = any(old_leaves) and l.leaf <> all(new_leaves);
      insert into user_metadata_leaves (user_id, leaf, user_created_at)
        select for_user, h, user_created_at from unnest(new_leaves) as h where h <> all(old_leaves)
        on conflict do nothing;
    end $$`.execute(db);
  // The columns by name, not through to_jsonb(new): that copies all three documents per row,
  // which made the trigger cost several times the update itself.
  await sql`
    create function user_metadata_keep_leaves() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        perform user_metadata_replace_leaves(new.user_id, new.user_created_at, 'public_metadata', null, new.public_metadata);
        perform user_metadata_replace_leaves(new.user_id, new.user_created_at, 'private_metadata', null, new.private_metadata);
        perform user_metadata_replace_leaves(new.user_id, new.user_created_at, 'unsafe_metadata', null, new.unsafe_metadata);
        return null;
      end if;
      if new.public_metadata is distinct from old.public_metadata then
        perform user_metadata_replace_leaves(new.user_id, new.user_created_at, 'public_metadata', old.public_metadata, new.public_metadata);
      end if;
      if new.private_metadata is distinct from old.private_metadata then
        perform user_metadata_replace_leaves(new.user_id, new.user_created_at, 'private_metadata', old.private_metadata, new.private_metadata);
      end if;
      if new.unsafe_metadata is distinct from old.unsafe_metadata then
        perform user_metadata_replace_leaves(new.user_id, new.user_created_at, 'unsafe_metadata', old.unsafe_metadata, new.unsafe_metadata);
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger user_metadata_keep_leaves after insert or update of public_metadata, private_metadata, unsafe_metadata
    on user_metadata for each row execute function user_metadata_keep_leaves()`.execute(db);

  // Before the backfill, so that no single statement has to build it over every leaf.
  await sql`
    create index user_metadata_leaves_order_idx
    on user_metadata_leaves (leaf, user_created_at desc, user_id desc)`.execute(db);
  // The rows that exist already, in batches by user_id: each statement stays well inside the
  // pool's client-side query timeout (statement timeout + 1 s), which `set local` cannot lift.
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await sql<{ last: string | null }>`
      with batch as (
        select user_id, user_created_at, public_metadata, private_metadata, unsafe_metadata
        from user_metadata where user_id > ${after}::uuid order by user_id limit ${sql.lit(BACKFILL_BATCH)}
      ), filled as (
        insert into user_metadata_leaves (user_id, leaf, user_created_at)
        select b.user_id, h, b.user_created_at
        from batch b
        cross join lateral (values
          (user_metadata_leaf_hashes('public_metadata', b.public_metadata)),
          (user_metadata_leaf_hashes('private_metadata', b.private_metadata)),
          (user_metadata_leaf_hashes('unsafe_metadata', b.unsafe_metadata))) as k(leaves)
        cross join lateral unnest(k.leaves) as h
        on conflict do nothing
      )
      select (select user_id::text from batch order by user_id desc limit 1) as last`.execute(db);
    const last = rows[0]?.last;
    if (!last) break;
    after = last;
  }
  // How many users have a leaf, counted up to a cap: a filter with several leaves walks its
  // rarest. With bitmap scans off for this statement only, so that the count is an index-only
  // scan stopping at the cap (the planner cannot know a leaf's frequency and would otherwise
  // build a bitmap of every entry of a common leaf).
  await sql`
    create function user_metadata_leaf_count(leaf bigint, cap integer) returns bigint
    language sql stable parallel safe set enable_bitmapscan = off as $$
      select count(*) from (
        select from user_metadata_leaves l where l.leaf = $1
        order by l.user_created_at desc, l.user_id desc limit $2
      ) as c
    $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists user_metadata_keep_leaves on user_metadata`.execute(db);
  await sql`drop function if exists user_metadata_keep_leaves()`.execute(db);
  await sql`drop function if exists user_metadata_replace_leaves(uuid, timestamptz, text, jsonb, jsonb)`.execute(db);
  await sql`drop function if exists user_metadata_leaf_count(bigint, integer)`.execute(db);
  await sql`drop table if exists user_metadata_leaves`.execute(db);
  await sql`drop function if exists user_metadata_leaf_hashes(text, jsonb)`.execute(db);
}
