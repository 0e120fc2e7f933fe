import { useId, useState } from 'react';
import { clientFor, describeError, type UsermetaClient } from '../lib/api.js';
import { identify, type KeyIdentity } from '../lib/identity.js';

type Props = {
  notice?: string | undefined;
  onSignedIn(key: string, client: UsermetaClient, identity: KeyIdentity): void;
};

/** Asks for an API key and checks it against the API before keeping it. */
export function SignIn({ notice, onSignedIn }: Props) {
  const id = useId();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  return (
    <main id="main" className="sign-in">
      <form
        className="card"
        aria-labelledby={`${id}-title`}
        onSubmit={async (event) => {
          event.preventDefault();
          const trimmed = key.trim();
          if (!trimmed) {
            setError('Enter an API key.');
            return;
          }
          setBusy(true);
          setError(undefined);
          try {
            const client = clientFor(trimmed);
            const identity = await identify(client);
            onSignedIn(trimmed, client, identity);
          } catch (failure) {
            setError(describeError(failure));
            setBusy(false);
          }
        }}
      >
        <h1 id={`${id}-title`}>usermeta console</h1>
        <p>
          Sign in with an admin API key. It is kept in this browser tab (sessionStorage) until you sign out or the
          browser session ends.
        </p>
        {notice && (
          <p className="note" role="status">
            {notice}
          </p>
        )}
        <label htmlFor={`${id}-key`}>API key</label>
        <input
          id={`${id}-key`}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(event) => setKey(event.target.value)}
          aria-describedby={error ? `${id}-error` : undefined}
          aria-invalid={error ? true : undefined}
        />
        {error && (
          <p id={`${id}-error`} role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
