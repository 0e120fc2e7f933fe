import { useEffect, useState } from 'react';
import { clientFor, isUnauthorized, type UsermetaClient } from './api.js';
import { identify, type KeyIdentity } from './identity.js';
import { forgetKey } from './session.js';

/**
 * After a reload of the tab, signs in again with the key kept in sessionStorage. True while
 * checking. A key the API refuses (401) is forgotten; any other failure (the service
 * unreachable, a 5xx) keeps it for the next reload and says why through `onFailed`.
 */
export function useRestoredSession(
  key: string | undefined,
  onRestored: (client: UsermetaClient, identity: KeyIdentity) => void,
  onFailed: (message: string) => void,
): boolean {
  const [checking, setChecking] = useState(key !== undefined);
  useEffect(() => {
    if (key === undefined) return;
    let cancelled = false;
    const client = clientFor(key);
    identify(client)
      .then((identity) => {
        if (!cancelled) onRestored(client, identity);
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        if (isUnauthorized(error)) forgetKey();
        else {
          const reason = error instanceof Error ? error.message : String(error);
          onFailed(`Could not sign in again with the saved key: ${reason}. Reload to try again, or sign in.`);
        }
      })
      .finally(() => {
        if (!cancelled) setChecking(false);
      });
    return () => {
      cancelled = true;
    };
    // Runs once per key: onRestored is a fresh closure each render.
  }, [key]);
  return checking;
}
