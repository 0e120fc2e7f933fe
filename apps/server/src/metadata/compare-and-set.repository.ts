import type { ChangeEvent, MetadataKind } from '@usermeta/contract';
import { type ExpressionBuilder, type QueryCreator, sql } from 'kysely';
import type pg from 'pg';
import { isForeignKeyViolation } from '../db/errors.js';
import { prepare } from '../db/prepared.js';
import { type DB, type JsonbText, jsonbText } from '../db/schema.js';
import { usesNamedStatements } from '../db/session-settings.js';
import { inTransaction } from '../db/transaction.js';
import { selectVersionedMetadata, type VersionedMetadata } from './metadata.repository.js';
import type { StoredMetadata } from './metadata-rules.js';

/**
 * A PATCH without a lock (docs/benchmarks.md, issue 16): read the metadata in one statement, merge
 * in JavaScript, then write the merge and its event in one statement that applies only if the
 * row is still at the version that was read (compare-and-set). Two round trips on a direct
 * connection, no BEGIN/COMMIT (behind a transaction pooler, see writeIfCurrent); the event commits with the change because both are one statement. Whatever the write cannot
 * decide (the row moved on, a webhook wants the event) goes back to the locking transaction.
 */

/** What a PATCH reads before it merges: the metadata, its version, and how the write may go. */
export type PatchBase = VersionedMetadata & {
  /** The user has a metadata row (else the write inserts one). */
  has_row: boolean;
  /** A webhook subscribes to metadata changes: its deliveries need the locking transaction. */
  subscribed: boolean;
};

const EVENT_TYPE = 'user.metadata.updated' satisfies ChangeEvent['type'];

/** A webhook that wants metadata-change events (no list = every type), as insertEvent selects them. */
const subscribedWebhook = (eb: ExpressionBuilder<DB, never>) =>
  eb.exists(
    eb
      .selectFrom('webhooks')
      .select(sql.lit(1).as('one'))
      .where((w) => w.or([w('events', 'is', null), w(sql.val<string>(EVENT_TYPE), '=', w.fn.any('events'))])),
  );

const READ_FOR_PATCH = prepare('read_metadata_for_patch', (db, v: { id: string }) =>
  selectVersionedMetadata(db, v.id).select((eb) => [
    eb('m.user_id', 'is not', null).$castTo<boolean>().as('has_row'),
    subscribedWebhook(eb as unknown as ExpressionBuilder<DB, never>)
      .$castTo<boolean>()
      .as('subscribed'),
  ]),
);

/** The current metadata for a PATCH to merge into, without a lock; undefined when there is no such user. */
export async function readForPatch(pool: pg.Pool, userId: string): Promise<PatchBase | undefined> {
  const [row] = await READ_FOR_PATCH(pool, { id: userId });
  return row;
}

type WriteValues = {
  id: string;
  incarnation: string;
  /** The version that was read: the write applies only to a row still at it. */
  read_version: number;
  public_metadata: JsonbText<'public_metadata'> | null;
  private_metadata: JsonbText<'private_metadata'> | null;
  unsafe_metadata: JsonbText<'unsafe_metadata'> | null;
  event_id: string;
  changed_kinds: MetadataKind[];
  payload: string;
  created_at: string;
};

/**
 * No webhook wants the event: the deliveries are queued by the locking transaction. Checked in
 * the snapshot the event row is written in, as insertEvent's own select is.
 */
const noSubscriber = (eb: ExpressionBuilder<DB, never>) => eb.not(subscribedWebhook(eb));

/** The event row, made from the row the write returned (`saved`): none when it wrote nothing. */
const eventColumns = (v: WriteValues) => [
  sql<string>`${v.event_id}::uuid`.as('id'),
  sql.lit(EVENT_TYPE).as('type'),
  sql.ref<string>('saved.user_id').as('user_id'),
  sql<string[]>`${v.changed_kinds}::text[]`.as('changed_kinds'),
  sql<string>`${v.payload}::jsonb`.as('payload'),
  sql<string>`${v.created_at}::timestamptz`.as('created_at'),
];

/** The `recorded` step of both writes: the event row inserted from what `saved` returned. */
const recordEvent = (v: WriteValues) => (qb: QueryCreator<DB & { saved: { user_id: string; version: number } }>) =>
  qb
    .insertInto('events')
    .columns(['id', 'type', 'user_id', 'changed_kinds', 'payload', 'created_at'])
    .expression((eb) => eb.selectFrom('saved').select(eventColumns(v)));

/**
 * The write for a user whose metadata row exists: UPDATE where the row is still at the version
 * read and still the same user (its incarnation; a row of a user deleted and made again is
 * another row, and so is never reached by this UPDATE), then the event from what it updated.
 */
const UPDATE_IF_CURRENT = prepare('save_metadata_if_current', (db, v: WriteValues) =>
  db
    .with('saved', (qb) =>
      qb
        .updateTable('user_metadata')
        .set((eb) => ({
          public_metadata: v.public_metadata,
          private_metadata: v.private_metadata,
          unsafe_metadata: v.unsafe_metadata,
          version: eb('version', '+', 1),
          updated_at: eb.fn('now'),
        }))
        .where('user_id', '=', v.id)
        .where('version', '=', v.read_version)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('users')
              .select(sql.lit(1).as('one'))
              .where('users.id', '=', v.id)
              .where('users.incarnation', '=', v.incarnation),
          ),
        )
        .where((eb) => noSubscriber(eb as unknown as ExpressionBuilder<DB, never>))
        .returning(['user_id', 'version']),
    )
    .with('recorded', recordEvent(v))
    .selectFrom('saved')
    .select('saved.version'),
);

/**
 * The write for a user who has no metadata row yet: INSERT it at version 1 if the user (this
 * incarnation) still exists and no row appeared meanwhile, then the event from what it inserted.
 */
const INSERT_IF_ABSENT = prepare('create_metadata_if_absent', (db, v: WriteValues) =>
  db
    .with('saved', (qb) =>
      qb
        .insertInto('user_metadata')
        .columns(['user_id', 'public_metadata', 'private_metadata', 'unsafe_metadata', 'version'])
        .expression((eb) =>
          eb
            .selectFrom('users')
            .select([
              'users.id',
              sql<JsonbText<'public_metadata'> | null>`${v.public_metadata}::jsonb`.as('public_metadata'),
              sql<JsonbText<'private_metadata'> | null>`${v.private_metadata}::jsonb`.as('private_metadata'),
              sql<JsonbText<'unsafe_metadata'> | null>`${v.unsafe_metadata}::jsonb`.as('unsafe_metadata'),
              sql<number>`${v.read_version}::integer + 1`.as('version'),
            ])
            .where('users.id', '=', v.id)
            .where('users.incarnation', '=', v.incarnation)
            .where((w) => noSubscriber(w as unknown as ExpressionBuilder<DB, never>)),
        )
        .onConflict((oc) => oc.column('user_id').doNothing())
        .returning(['user_id', 'version']),
    )
    .with('recorded', recordEvent(v))
    .selectFrom('saved')
    .select('saved.version'),
);

async function writeOnce(
  executor: pg.Pool | pg.PoolClient,
  hasRow: boolean,
  values: WriteValues,
): Promise<number | undefined> {
  const [saved] = hasRow ? await UPDATE_IF_CURRENT(executor, values) : await INSERT_IF_ABSENT(executor, values);
  return saved?.version;
}

/**
 * Writes `next` and its event in one statement if the metadata is still as `base` read it, and
 * returns the new version; undefined when it has moved on (or a webhook now wants the event),
 * and then nothing was written.
 *
 * The statement may wait on a row lock, so it must run under the pool's timeouts. With named
 * statements (a direct connection) every connection has them as session settings. Behind a
 * transaction pooler (unnamed) a session setting cannot be relied on, so the write goes in a
 * transaction that starts with `begin; set local …` (two round trips more there). A `set_config`
 * inside the statement would also bound its lock wait, but Citus refuses VOLATILE functions in
 * an UPDATE on a distributed table (docs/deploy.md).
 */
export async function writeIfCurrent(
  pool: pg.Pool,
  base: PatchBase,
  userId: string,
  next: StoredMetadata,
  event: { event: ChangeEvent; kinds: MetadataKind[] },
): Promise<number | undefined> {
  const values: WriteValues = {
    id: userId,
    incarnation: base.incarnation,
    read_version: base.version,
    public_metadata: jsonbText('public_metadata', next.public_metadata),
    private_metadata: jsonbText('private_metadata', next.private_metadata),
    unsafe_metadata: jsonbText('unsafe_metadata', next.unsafe_metadata),
    event_id: event.event.id,
    changed_kinds: event.kinds,
    payload: JSON.stringify(event.event),
    created_at: event.event.timestamp,
  };
  try {
    if (usesNamedStatements(pool)) return await writeOnce(pool, base.has_row, values);
    return await inTransaction(pool, async (client) => ({
      commit: true,
      result: await writeOnce(client, base.has_row, values),
    }));
  } catch (error) {
    // The user was deleted while the insert checked it: nothing written, the lock path decides.
    if (!base.has_row && isForeignKeyViolation(error)) return undefined;
    throw error;
  }
}
