// Moved to src/testing/infra so that the benchmark can start the same real servers.
export * from '../../src/testing/infra/daemon.js';
