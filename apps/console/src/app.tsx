import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useMemo, useState } from 'react';
import { isUnauthorized, type UsermetaClient } from './lib/api.js';
import { describeRights, type KeyIdentity } from './lib/identity.js';
import { useRestoredSession } from './lib/restore.js';
import { Link, paths, type Route, useRoute } from './lib/router.js';
import { forgetKey, storedKey, storeKey } from './lib/session.js';
import { type Session, SessionContext } from './lib/session-context.js';
import { SignIn } from './pages/sign-in.js';
import { UsersPage } from './pages/users-page.js';
import { WebhooksPage } from './pages/webhooks-page.js';

// The user page carries the editors (CodeMirror): loaded when first opened.
const UserPage = lazy(() => import('./pages/user-page.js').then((module) => ({ default: module.UserPage })));

type SignedIn = { client: UsermetaClient; identity: KeyIdentity };

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'users':
      return <UsersPage />;
    case 'user':
      return <UserPage key={route.id} id={route.id} tab={route.tab} />;
    case 'webhooks':
      return <WebhooksPage />;
    default:
      return (
        <div className="card">
          <h1>Not found</h1>
          <p>
            There is no such page. <Link to={paths.users()}>Go to users</Link>.
          </p>
        </div>
      );
  }
}

function Shell({ session, route }: { session: Session; route: Route }) {
  const { identity } = session;
  const rights = describeRights(identity);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to={paths.users()} className="brand">
          usermeta
        </Link>
        <nav aria-label="Main">
          <Link to={paths.users()} aria-current={route.name === 'users' || route.name === 'user' ? 'page' : undefined}>
            Users
          </Link>
          {identity.scopes.includes('webhooks:manage') && (
            <Link to={paths.webhooks()} aria-current={route.name === 'webhooks' ? 'page' : undefined}>
              Webhooks
            </Link>
          )}
        </nav>
        <section className="key" aria-label="Signed-in key">
          <span className="key-name">
            Key: <strong>{identity.name}</strong>
          </span>
          <span className="badge">{rights.scopes}</span>
          {rights.kinds && <span className="badge">{rights.kinds}</span>}
          {identity.expiresAt && (
            <span className="badge">
              expires <time dateTime={identity.expiresAt}>{new Date(identity.expiresAt).toLocaleString()}</time>
            </span>
          )}
          <button type="button" onClick={() => session.signOut()}>
            Sign out
          </button>
        </section>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p role="status">Loading…</p>}>
          <Page route={route} />
        </Suspense>
      </main>
    </>
  );
}

export function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState<SignedIn>();
  const [notice, setNotice] = useState<string>();

  const signOut = useCallback((reason?: string) => {
    forgetKey();
    setSignedIn(undefined);
    setNotice(reason);
  }, []);

  // One cache per sign-in, so nothing read with one key is ever shown to the next. A key
  // refused later (revoked, expired) ends the session.
  const queryClient = useMemo(() => {
    const onError = (error: unknown) => {
      if (isUnauthorized(error)) signOut('The API refused the key (Unauthorized). Sign in again.');
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
    });
  }, [signedIn, signOut]);

  const restoring = useRestoredSession(
    signedIn === undefined ? storedKey() : undefined,
    (client, identity) => setSignedIn({ client, identity }),
    setNotice,
  );

  const session = useMemo<Session | undefined>(
    () =>
      signedIn && {
        ...signedIn,
        signOut: (reason?: string) => {
          queryClient.clear();
          signOut(reason);
        },
      },
    [signedIn, signOut, queryClient],
  );

  if (restoring) return <p role="status">Signing in…</p>;
  if (!session) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(key, client, identity) => {
          storeKey(key);
          setNotice(undefined);
          setSignedIn({ client, identity });
        }}
      />
    );
  }
  return (
    <QueryClientProvider client={queryClient}>
      <SessionContext.Provider value={session}>
        <Shell session={session} route={route} />
      </SessionContext.Provider>
    </QueryClientProvider>
  );
}
