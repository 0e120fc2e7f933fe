import { useInfiniteQuery } from '@tanstack/react-query';
import { METADATA_KINDS } from '@usermeta/contract';
import { DiffView } from '../components/diff-view.js';
import { describeError, expectStatus } from '../lib/api.js';
import { canSeeKind } from '../lib/identity.js';
import { useSession } from '../lib/session-context.js';

const PAGE_SIZE = 20;

/** The user's metadata changes, newest first: who, when, and a diff per changed kind. */
export function HistoryTab({ userId }: { userId: string }) {
  const { client, identity } = useSession();
  const history = useInfiniteQuery({
    queryKey: ['user', userId, 'history'],
    queryFn: async ({ pageParam }) =>
      expectStatus(
        await client.getMetadataHistory(userId, {
          limit: PAGE_SIZE,
          ...(pageParam === undefined ? {} : { cursor: pageParam }),
        }),
        200,
      ).body,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor,
  });
  if (history.isPending) return <p role="status">Loading history…</p>;
  if (history.isError) {
    return (
      <p role="alert" className="error">
        {describeError(history.error)}
      </p>
    );
  }
  const events = history.data.pages.flatMap((page) => page.events);
  if (events.length === 0) return <p className="note">No metadata changes recorded for this user.</p>;
  return (
    <section aria-label="Metadata history">
      <ol className="history">
        {events.map((event) => (
          <li key={event.id} className="card history-entry">
            <h3>
              Version {event.data.version} ·{' '}
              <time dateTime={event.timestamp}>{new Date(event.timestamp).toLocaleString()}</time> · by{' '}
              <span className="actor">{event.data.actor}</span>
            </h3>
            {METADATA_KINDS.filter((kind) => event.data.changed_kinds.includes(kind) && canSeeKind(identity, kind)).map(
              (kind) => (
                <div key={kind}>
                  <h4>{kind}</h4>
                  <DiffView
                    before={event.data.previous_metadata[kind]}
                    after={event.data.metadata[kind]}
                    label={`Version ${event.data.version}: ${kind}`}
                  />
                </div>
              ),
            )}
          </li>
        ))}
      </ol>
      {history.hasNextPage && (
        <button type="button" onClick={() => void history.fetchNextPage()} disabled={history.isFetchingNextPage}>
          {history.isFetchingNextPage ? 'Loading…' : 'Older changes'}
        </button>
      )}
    </section>
  );
}
