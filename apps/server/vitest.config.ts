import { defineConfig } from 'vitest/config';

/** The suites that exercise the API's behaviour, run a second time through PgBouncer. */
const THROUGH_POOLER = [
  'test/get-metadata.test.ts',
  'test/patch-metadata.test.ts',
  'test/users.test.ts',
  'test/list-users.test.ts',
  'test/api-keys.test.ts',
  'test/scopes.test.ts',
  'test/kind-limits.test.ts',
  'test/revocation.test.ts',
  'test/metrics.test.ts',
  'test/conditional-requests.test.ts',
  'test/update-metadata.test.ts',
  'test/versions.test.ts',
  'test/events-history.test.ts',
  'test/webhooks.test.ts',
  'test/compare-and-set.test.ts',
  'test/pgbouncer/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/pgbouncer/**', '**/node_modules/**'],
          globalSetup: ['./test/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'through-pgbouncer',
          include: THROUGH_POOLER,
          globalSetup: ['./test/pgbouncer/global-setup.ts'],
        },
      },
    ],
  },
});
