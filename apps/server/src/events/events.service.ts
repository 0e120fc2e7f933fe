import { type MetadataHistory, UserMetadataUpdatedEvent } from '@usermeta/contract';
import type pg from 'pg';
import { queryableOfClient, run, sqlBuilder } from '../db/queryable.js';
import type { Principal } from '../http/principal.js';
import { metadataEventFor } from './event-kinds.js';
import { historyPage } from './events.repository.js';

export type HistoryResult = { kind: 'ok'; page: MetadataHistory } | { kind: 'user_not_found' };

/** An opaque cursor: the position of the last event of the page. */
export function encodeCursor(seq: string): string {
  return Buffer.from(`h:${seq}`).toString('base64url');
}

/** The largest position an event can have: PostgreSQL's bigint. */
const MAX_SEQ = 9_223_372_036_854_775_807n;

/** The position a cursor names, or undefined when it is not one this server made. */
export function decodeCursor(cursor: string): string | undefined {
  const match = /^h:([1-9][0-9]{0,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const seq = match?.[1];
  // 19 digits may still be past bigint: such a cursor was never made, and the query would fail.
  if (seq === undefined || BigInt(seq) > MAX_SEQ) return undefined;
  // Base64 has several spellings of the same bytes (trailing bits): only the one we make is valid.
  return encodeCursor(seq) === cursor ? seq : undefined;
}

export class EventsService {
  constructor(private readonly pool: pg.Pool) {}

  /** `beforeSeq` comes from decodeCursor. Events the key may not see are left out, as api.md says. */
  async history(
    userId: string,
    page: { limit: number; beforeSeq: string | undefined },
    principal: Pick<Principal, 'kinds'>,
    /** Where to read (a read replica's pool); default the primary. */
    from: pg.Pool = this.pool,
  ): Promise<HistoryResult> {
    const q = queryableOfClient(from);
    const [user] = await run(q, sqlBuilder.selectFrom('users').select('id').where('id', '=', userId));
    if (!user) return { kind: 'user_not_found' };
    const rows = await historyPage(q, userId, { ...page, kinds: principal.kinds });
    const shown = rows.slice(0, page.limit);
    const events = shown.flatMap((row) => {
      const event = metadataEventFor(UserMetadataUpdatedEvent.parse(row.payload), principal.kinds);
      return event ? [event] : [];
    });
    const last = shown.at(-1);
    return {
      kind: 'ok',
      page: rows.length > page.limit && last ? { events, next_cursor: encodeCursor(last.seq) } : { events },
    };
  }
}
