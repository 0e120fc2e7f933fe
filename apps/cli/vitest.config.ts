import { defineProject } from 'vitest/config';

// Each test runs the built CLI as several processes in a row: on a loaded 2-core machine one
// start can take seconds, so the limit is generous (no test asserts a duration).
export default defineProject({
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
