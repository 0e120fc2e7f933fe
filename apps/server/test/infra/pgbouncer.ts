// Moved to src/testing/infra so that the benchmark can start the same real PgBouncer.
export * from '../../src/testing/infra/pgbouncer.js';
