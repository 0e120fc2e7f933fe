import { useEffect, useState } from 'react';
import { clientFor, type UsermetaClient } from './api.js';
import { identify, type KeyIdentity } from './identity.js';
import { forgetKey } from './session.js';

/**
 * After a reload of the tab, signs in again with the key kept in sessionStorage. True while
 * checking; a key the API refuses is forgotten.
 */
export function useRestoredSession(
  key: string | undefined,
  onRestored: (client: UsermetaClient, identity: KeyIdentity) => void,
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
      .catch(() => {
        if (!cancelled) forgetKey();
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
