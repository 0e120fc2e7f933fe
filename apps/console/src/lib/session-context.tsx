import { createContext, useContext } from 'react';
import type { UsermetaClient } from './api.js';
import type { KeyIdentity } from './identity.js';

export type Session = {
  client: UsermetaClient;
  identity: KeyIdentity;
  signOut(reason?: string): void;
};

export const SessionContext = createContext<Session | undefined>(undefined);

/** The signed-in key's client and rights; only rendered inside a session. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in session');
  return session;
}
