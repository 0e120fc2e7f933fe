import { useInfiniteQuery } from '@tanstack/react-query';
import { METADATA_KINDS, type UserWithMetadata } from '@usermeta/contract';
import { useEffect, useId, useRef, useState } from 'react';
import { describeError, expectStatus } from '../lib/api.js';
import { canSeeKind } from '../lib/identity.js';
import { Link, paths } from '../lib/router.js';
import { useSession } from '../lib/session-context.js';
import { type MetadataFilter, parseFilter } from './filter.js';

const PAGE_SIZE = 25;
const SUMMARY_LENGTH = 140;

function summary(json: object): string {
  const text = JSON.stringify(json);
  return text.length > SUMMARY_LENGTH ? `${text.slice(0, SUMMARY_LENGTH - 1)}…` : text;
}

function UserRow({ user }: { user: UserWithMetadata }) {
  const { identity } = useSession();
  const kinds = METADATA_KINDS.filter((kind) => canSeeKind(identity, kind) && user.metadata?.[kind]);
  return (
    <li className="user-row">
      <Link to={paths.user(user.id)} className="user-link">
        <code>{user.id}</code>
      </Link>
      <span className="created">
        created <time dateTime={user.created_at}>{new Date(user.created_at).toLocaleString()}</time>
      </span>
      {kinds.length === 0 ? (
        <span className="note">no metadata</span>
      ) : (
        <dl className="kinds-summary">
          {kinds.map((kind) => (
            <div key={kind}>
              <dt>{kind.replace('_metadata', '')}</dt>
              <dd>
                <code>{summary(user.metadata?.[kind] ?? {})}</code>
              </dd>
            </div>
          ))}
        </dl>
      )}
    </li>
  );
}

/** The filter box: a kind and either a JSON object or key=value shortcuts. */
function FilterForm({ onApply }: { onApply(filter: MetadataFilter): void }) {
  const id = useId();
  const { identity } = useSession();
  // The first kind this key may read: the one the select shows first, and so the one used.
  const visible = METADATA_KINDS.filter((k) => canSeeKind(identity, k));
  const [kind, setKind] = useState<(typeof METADATA_KINDS)[number]>(visible[0] ?? 'public_metadata');
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  return (
    <form
      className="filter"
      aria-label="Filter users by metadata"
      onSubmit={(event) => {
        event.preventDefault();
        const parsed = parseFilter(kind, text);
        if (!parsed.ok) {
          setError(parsed.error);
          return;
        }
        setError(undefined);
        onApply(parsed.filter);
      }}
    >
      <div className="filter-fields">
        <div>
          <label htmlFor={`${id}-kind`}>Kind</label>
          <select
            id={`${id}-kind`}
            value={kind}
            onChange={(event) => setKind(event.target.value as (typeof METADATA_KINDS)[number])}
          >
            {visible.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </div>
        <div className="grow">
          <label htmlFor={`${id}-text`}>Metadata filter</label>
          <input
            id={`${id}-text`}
            value={text}
            onChange={(event) => setText(event.target.value)}
            spellCheck={false}
            autoComplete="off"
            placeholder='role=admin plan.tier=2   or   {"role":"admin"}'
            aria-describedby={`${id}-help${error ? ` ${id}-error` : ''}`}
            aria-invalid={error ? true : undefined}
          />
        </div>
        <div className="filter-buttons">
          <button type="submit" className="primary">
            Filter
          </button>
          <button
            type="button"
            onClick={() => {
              setText('');
              setError(undefined);
              onApply({});
            }}
          >
            Clear
          </button>
        </div>
      </div>
      <p id={`${id}-help`} className="help">
        Users whose metadata contains this: a JSON object, or <code>key=value</code> pairs (dots nest, values read as
        JSON when they can; prefix <code>private.</code> or <code>unsafe.</code> for another kind).
      </p>
      {error && (
        <p id={`${id}-error`} role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}

/** GET /users, newest first, page after page as the person scrolls (or presses "Load more"). */
export function UserList() {
  const { client } = useSession();
  const [filter, setFilter] = useState<MetadataFilter>({});
  const sentinel = useRef<HTMLDivElement>(null);
  const users = useInfiniteQuery({
    queryKey: ['users', filter],
    queryFn: async ({ pageParam }) =>
      expectStatus(
        await client.listUsers({ filter, limit: PAGE_SIZE, ...(pageParam === undefined ? {} : { cursor: pageParam }) }),
        200,
      ).body,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor,
  });
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = users;

  useEffect(() => {
    const target = sentinel.current;
    if (!target || !hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const rows = users.data?.pages.flatMap((page) => page.users) ?? [];
  const filtered = Object.keys(filter).length > 0;
  return (
    <section className="card" aria-labelledby="user-list-title">
      <h2 id="user-list-title">{filtered ? 'Matching users' : 'All users'}, newest first</h2>
      <FilterForm onApply={setFilter} />
      {filtered && (
        <p className="note">
          Filter: <code>{JSON.stringify(filter)}</code>
        </p>
      )}
      {users.isPending && <p role="status">Loading users…</p>}
      {users.isError && (
        <p role="alert" className="error">
          {describeError(users.error)}
        </p>
      )}
      {users.isSuccess && rows.length === 0 && (
        <p className="note">No users {filtered ? 'match this filter' : 'yet'}.</p>
      )}
      {rows.length > 0 && (
        <ul className="user-list" aria-label="Users">
          {rows.map((user) => (
            <UserRow key={user.id} user={user} />
          ))}
        </ul>
      )}
      <div ref={sentinel} />
      {hasNextPage && (
        <button type="button" onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
          {isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
      {users.isSuccess && !hasNextPage && rows.length > 0 && (
        <p className="note" role="status">
          {rows.length} {rows.length === 1 ? 'user' : 'users'}, all shown.
        </p>
      )}
    </section>
  );
}
