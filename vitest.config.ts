import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // fixtures/counters/test: the sample user tests (fake and inline modes), which need no Redis.
    include: ['test/**/*.test.ts', 'fixtures/counters/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
