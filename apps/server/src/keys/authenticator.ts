import { createRootKeyChecker } from '../http/auth.js';
import { type Principal, ROOT_PRINCIPAL } from '../http/principal.js';
import { hashKey } from './key-format.js';
import { type ApiKeyStore, NOT_LOADED } from './key-store.js';

/** Who a presented key is, or undefined (→ 401). A promise only until the first key snapshot is in. */
export type Authenticate = (token: string) => Principal | undefined | Promise<Principal | undefined>;

/**
 * Root keys (ADMIN_API_KEYS or the generated one) first, compared in constant time, then the
 * keys made through /api-keys from the in-memory store. Either way the presented key is hashed
 * once: SHA-256, then constant-time comparisons of digests, never of the keys themselves.
 */
export function createAuthenticator(options: { rootKeys: readonly string[]; store: ApiKeyStore }): Authenticate {
  const isRoot = createRootKeyChecker(options.rootKeys.map(hashKey));
  const { store } = options;
  return (token) => {
    const digest = hashKey(token);
    if (isRoot(digest)) return ROOT_PRINCIPAL;
    const found = store.authenticate(digest, Date.now());
    if (found !== NOT_LOADED) return found;
    return store.ready().then(() => {
      const loaded = store.authenticate(digest, Date.now());
      return loaded === NOT_LOADED ? undefined : loaded;
    });
  };
}
