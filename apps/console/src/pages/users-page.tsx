import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { describeError, expectStatus } from '../lib/api.js';
import { can } from '../lib/identity.js';
import { navigate, paths } from '../lib/router.js';
import { useSession } from '../lib/session-context.js';
import { UserList } from '../users/user-list.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Open a user by id. */
function OpenUser() {
  const id = useId();
  const [userId, setUserId] = useState('');
  const [error, setError] = useState<string>();
  return (
    <form
      className="card open-user"
      aria-labelledby={`${id}-title`}
      onSubmit={(event) => {
        event.preventDefault();
        const trimmed = userId.trim();
        if (!UUID.test(trimmed)) {
          setError('A user id is a UUID, like 3f2c1a7e-8b9d-4c6e-a1f0-123456789abc.');
          return;
        }
        navigate(paths.user(trimmed.toLowerCase()));
      }}
    >
      <h2 id={`${id}-title`}>Open a user</h2>
      <label htmlFor={`${id}-id`}>User id</label>
      <div className="row">
        <input
          id={`${id}-id`}
          value={userId}
          onChange={(event) => setUserId(event.target.value)}
          spellCheck={false}
          autoComplete="off"
          placeholder="UUID"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        <button type="submit" className="primary">
          Open
        </button>
      </div>
      {error && (
        <p id={`${id}-error`} role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}

/** Create a user (id optional), after a confirmation. */
function CreateUser() {
  const { client } = useSession();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [userId, setUserId] = useState('');
  const create = useMutation({
    mutationFn: async (wanted: string) => {
      const result = expectStatus(await client.createUser(wanted ? { id: wanted } : {}), 201);
      return result.body;
    },
    onSuccess: (user) => navigate(paths.user(user.id)),
  });
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Create user…
      </button>
      <ConfirmDialog
        open={open}
        title="Create a user"
        confirmLabel="Create user"
        busy={create.isPending}
        error={create.isError ? describeError(create.error) : undefined}
        onConfirm={() => create.mutate(userId.trim())}
        onCancel={() => {
          setOpen(false);
          create.reset();
        }}
      >
        <label htmlFor={`${id}-new-id`}>Id (optional: a new one is generated when left empty)</label>
        <input
          id={`${id}-new-id`}
          value={userId}
          onChange={(event) => setUserId(event.target.value)}
          spellCheck={false}
          autoComplete="off"
          placeholder="UUID"
        />
      </ConfirmDialog>
    </>
  );
}

export function UsersPage() {
  const { identity } = useSession();
  return (
    <>
      <div className="page-head">
        <h1>Users</h1>
        {can(identity, 'users:write') && <CreateUser />}
      </div>
      <OpenUser />
      {can(identity, 'users:read') && <UserList />}
    </>
  );
}
