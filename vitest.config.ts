import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // fixtures/counters/test: the sample user tests (fake and inline modes), which need no Redis.
    include: ['test/**/*.test.ts', 'fixtures/counters/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // expect.poll waits for what a user would see happen (a live refresh, a heartbeat): 1 s is too short on a
    // loaded machine, so it gets 10 s before it fails; it still returns as soon as the condition holds.
    expect: { poll: { timeout: 10_000, interval: 50 } },
  },
});
