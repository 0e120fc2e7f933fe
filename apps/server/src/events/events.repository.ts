import type { ChangeEvent, MetadataKind } from '@usermeta/contract';
import { sql } from 'kysely';
import { sqlBuilder as db, type Queryable, run } from '../db/queryable.js';

export type Subscription = { id: string; kinds: string[] | null };

/**
 * Inserts the event and, in the same statement (one round trip while the change's locks are
 * held), returns the webhook endpoints that want its type (no list = every type).
 */
export async function insertEvent(
  q: Queryable,
  event: ChangeEvent,
  userId: string,
  changedKinds: MetadataKind[],
): Promise<Subscription[]> {
  return run(
    q,
    db
      .with('inserted', (qb) =>
        qb.insertInto('events').values({
          id: event.id,
          type: event.type,
          user_id: userId,
          changed_kinds: changedKinds,
          payload: JSON.stringify(event),
          created_at: event.timestamp,
        }),
      )
      .selectFrom('webhooks')
      .select(['id', 'kinds'])
      .where((eb) => eb.or([eb('events', 'is', null), eb(sql.val<string>(event.type), '=', eb.fn.any('events'))])),
  );
}

/** Removes a user's events: its history goes with the user. */
export async function deleteUserEvents(q: Queryable, userId: string): Promise<void> {
  await run(q, db.deleteFrom('events').where('user_id', '=', userId));
}

export type HistoryRow = { seq: string; payload: unknown };

/**
 * One page of a user's metadata changes, newest first, strictly before `beforeSeq`; with
 * `kinds`, only changes that touched one of them. Reads one row more than asked, so the caller
 * knows whether another page follows.
 */
export async function historyPage(
  q: Queryable,
  userId: string,
  options: { limit: number; beforeSeq: string | undefined; kinds: readonly MetadataKind[] | undefined },
): Promise<HistoryRow[]> {
  let query = db
    .selectFrom('events')
    .select(['seq', 'payload'])
    .where('user_id', '=', userId)
    .where('type', '=', 'user.metadata.updated');
  if (options.beforeSeq !== undefined) query = query.where('seq', '<', options.beforeSeq);
  if (options.kinds !== undefined) {
    query = query.where(sql<boolean>`changed_kinds && ${sql.val([...options.kinds])}::text[]`);
  }
  return run(q, query.orderBy('seq', 'desc').limit(options.limit + 1));
}

/** Deletes up to `batch` events older than `before`; returns how many went. */
export async function deleteEventsBefore(q: Queryable, before: Date, batch: number): Promise<number> {
  const rows = await run(
    q,
    db
      .deleteFrom('events')
      .where('id', 'in', (eb) =>
        eb.selectFrom('events').select('id').where('created_at', '<', before).orderBy('created_at').limit(batch),
      )
      .returning('id'),
  );
  return rows.length;
}

/** Deletes up to `batch` finished deliveries (succeeded or failed) last touched before `before`. */
export async function deleteDeliveriesBefore(q: Queryable, before: Date, batch: number): Promise<number> {
  const rows = await run(
    q,
    db
      .deleteFrom('webhook_deliveries')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('status', '!=', 'pending')
          .where('updated_at', '<', before)
          .limit(batch),
      )
      .returning('id'),
  );
  return rows.length;
}
