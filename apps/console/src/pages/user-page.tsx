import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { ConflictView } from '../components/conflict-view.js';
import { ApiError, describeError, expectStatus } from '../lib/api.js';
import { can } from '../lib/identity.js';
import { type LoadedMetadata, loadMetadata } from '../lib/metadata-api.js';
import { Link, navigate, paths } from '../lib/router.js';
import { useSession } from '../lib/session-context.js';
import { type Conflict, reapplied } from '../metadata/conflict.js';
import type { Metadata } from '../metadata/draft.js';
import { HistoryTab } from './history-tab.js';
import { MetadataEditor } from './metadata-editor.js';

export const userQueryKey = (id: string) => ['user', id] as const;
export const metadataQueryKey = (id: string) => ['user', id, 'metadata'] as const;

function DeleteUser({ userId }: { userId: string }) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const remove = useMutation({
    mutationFn: async () => {
      expectStatus(await client.deleteUser(userId), 204);
    },
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: userQueryKey(userId) });
      // The user is gone: unsaved edits of its metadata have nothing left to be saved to.
      navigate(paths.users(), { force: true });
    },
  });
  return (
    <>
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        Delete user…
      </button>
      <ConfirmDialog
        open={open}
        title="Delete this user?"
        confirmLabel="Delete user"
        danger
        busy={remove.isPending}
        error={remove.isError ? describeError(remove.error) : undefined}
        onConfirm={() => remove.mutate()}
        onCancel={() => {
          setOpen(false);
          remove.reset();
        }}
      >
        <p>
          User <code>{userId}</code> and all its metadata will be deleted. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}

export function UserPage({ id, tab }: { id: string; tab: 'metadata' | 'history' }) {
  const { client, identity } = useSession();
  const queryClient = useQueryClient();
  const [savedAt, setSavedAt] = useState<Date>();
  const [dirty, setDirty] = useState(false);
  const [confirmReload, setConfirmReload] = useState(false);
  const [conflict, setConflict] = useState<Conflict>();
  /** Texts to start the editors from instead of the stored metadata (a re-applied change). */
  const [draft, setDraft] = useState<Metadata>();

  // Each read needs its own scope: a key with users:read alone still sees the user and, with
  // users:write, can delete it; one with metadata:read alone still sees and edits the metadata.
  const readsUser = can(identity, 'users:read');
  const readsMetadata = can(identity, 'metadata:read');
  const user = useQuery({
    queryKey: userQueryKey(id),
    queryFn: async () => expectStatus(await client.getUser(id), 200).body,
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    enabled: readsUser,
  });
  const loaded = useQuery({
    queryKey: metadataQueryKey(id),
    queryFn: () => loadMetadata(client, id),
    // Edits start from what was loaded: never swap the base under a person's hands.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    enabled: readsMetadata,
  });
  /** What the page waits for and reports a failure of: the metadata, or the user without it. */
  const main = readsMetadata ? loaded : user;

  const reload = () => {
    setConfirmReload(false);
    setSavedAt(undefined);
    setConflict(undefined);
    setDraft(undefined);
    if (readsUser) void user.refetch();
    if (readsMetadata) void loaded.refetch();
  };
  const startFrom = (next: LoadedMetadata, nextDraft: Metadata | undefined) => {
    setConflict(undefined);
    setDraft(nextDraft);
    queryClient.setQueryData(metadataQueryKey(id), next);
  };

  if (!readsUser && !readsMetadata) {
    return (
      <div className="card">
        <h1>Nothing to show</h1>
        <p>This key may read neither users (users:read) nor metadata (metadata:read).</p>
        <Link to={paths.users()}>Back to users</Link>
      </div>
    );
  }
  if (main.isPending) return <p role="status">Loading user…</p>;
  if (main.isError) {
    const missing = main.error instanceof ApiError && main.error.status === 404;
    return (
      <div className="card">
        <h1>{missing ? 'No such user' : 'Could not load the user'}</h1>
        <p role="alert" className="error">
          {describeError(main.error)}
        </p>
        <Link to={paths.users()}>Back to users</Link>
      </div>
    );
  }

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={paths.users()}>Users</Link> / <span aria-current="page">{id}</span>
      </nav>
      <div className="page-head">
        <div>
          <h1 className="user-id">
            User <code>{id}</code>
          </h1>
          {user.data && (
            <p className="dates">
              Created <time dateTime={user.data.created_at}>{new Date(user.data.created_at).toLocaleString()}</time> ·
              updated <time dateTime={user.data.updated_at}>{new Date(user.data.updated_at).toLocaleString()}</time>
            </p>
          )}
        </div>
        <div className="actions">
          <button type="button" onClick={() => (dirty ? setConfirmReload(true) : reload())} disabled={main.isFetching}>
            Reload
          </button>
          {can(identity, 'users:write') && <DeleteUser userId={id} />}
        </div>
      </div>
      {savedAt && (
        <p role="status" className="saved">
          Saved at {savedAt.toLocaleTimeString()}.
        </p>
      )}
      <ConfirmDialog
        open={confirmReload}
        title="Drop your unsaved changes?"
        confirmLabel="Reload and drop them"
        danger
        onConfirm={reload}
        onCancel={() => setConfirmReload(false)}
      >
        <p>Reloading shows what is stored now; your edits that are not saved are lost.</p>
      </ConfirmDialog>
      <nav aria-label="User sections" className="tabs">
        <Link to={paths.user(id)} aria-current={tab === 'metadata' ? 'page' : undefined}>
          Metadata
        </Link>
        {can(identity, 'metadata:read') && (
          <Link to={paths.history(id)} aria-current={tab === 'history' ? 'page' : undefined}>
            History
          </Link>
        )}
      </nav>
      {tab === 'history' && readsMetadata && <HistoryTab key={loaded.dataUpdatedAt} userId={id} />}
      {tab === 'metadata' && !readsMetadata && <p>This key may not read metadata (it lacks metadata:read).</p>}
      {tab === 'metadata' && conflict && (
        <ConflictView
          conflict={conflict}
          onReload={() => startFrom({ metadata: conflict.theirs, etag: conflict.theirsEtag }, undefined)}
          onReapply={() => startFrom({ metadata: conflict.theirs, etag: conflict.theirsEtag }, reapplied(conflict))}
        />
      )}
      {/* Kept while the History tab shows, so that unsaved edits survive a look at the history. */}
      {loaded.data && (
        <div hidden={tab !== 'metadata'}>
          <MetadataEditor
            key={`${loaded.dataUpdatedAt}`}
            userId={id}
            base={loaded.data.metadata}
            etag={loaded.data.etag}
            draft={draft}
            blocked={conflict !== undefined}
            onDirtyChange={setDirty}
            onConflict={setConflict}
            onSaved={(next) => {
              setDraft(undefined);
              queryClient.setQueryData(metadataQueryKey(id), next);
              setSavedAt(new Date());
              if (readsUser) void user.refetch();
            }}
          />
        </div>
      )}
    </>
  );
}
