import type { Migration } from 'kysely/migration';
import * as m0001 from './2026_11_26_0001_users_and_metadata.js';
import * as m0002 from './2026_11_29_0002_metadata_version.js';
import * as m0003 from './2026_11_29_0003_listing_indexes.js';
import * as m0004 from './2026_11_29_0004_api_keys.js';
import * as m0005 from './2026_11_29_0005_events_and_webhooks.js';
import * as m0006 from './2026_11_29_0006_listing_leaves.js';
import * as m0007 from './2026_11_30_0007_api_keys_notify_operation.js';

/** Explicit registry, so migrations survive bundling and need no directory scan. Append only. */
export const migrations: Record<string, Migration> = {
  '2026_11_26_0001_users_and_metadata': m0001,
  '2026_11_29_0002_metadata_version': m0002,
  '2026_11_29_0003_listing_indexes': m0003,
  '2026_11_29_0004_api_keys': m0004,
  '2026_11_29_0005_events_and_webhooks': m0005,
  '2026_11_29_0006_listing_leaves': m0006,
  '2026_11_30_0007_api_keys_notify_operation': m0007,
};
