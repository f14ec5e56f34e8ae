import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The suite in three tiers, one vitest project each; `npm test` runs all three, `npm run test:<tier>` one. Every
 * test file belongs to exactly one (test/tiers.test.ts holds that):
 *  - unit: no redis-server, no child process of sidepunch-run, Ruby or a browser, no dist/; seconds;
 *  - slow: faults, cluster, Sentinel, the package tarball, browsers, Ruby Sidekiq interop, the benchmark smoke run,
 *    and the demo and the compiler end to end, which build and run a whole app;
 *  - integration: every other file, on a real redis-server.
 */
export const UNIT = [
  'test/tiers.test.ts',
  'test/compiler/build-dependencies.test.ts',
  'test/compiler/cache.test.ts',
  'test/compiler/cli-start-imports.test.ts',
  'test/compiler/reuse.test.ts',
  'test/compiler/committed-stubs.test.ts',
  'test/compiler/compat/classify.test.ts',
  'test/compiler/compat/record-gen.test.ts',
  'test/deploys/upgrade.test.ts',
  'test/compiler/contracts.test.ts',
  'test/compiler/esbuild-plugin.test.ts',
  'test/compiler/golden-allow.test.ts',
  'test/compiler/golden-reject.test.ts',
  'test/compiler/module-layout.test.ts',
  'test/compiler/periodic.test.ts',
  'test/compiler/registry-modes.test.ts',
  'test/compiler/registry-params.test.ts',
  'test/compiler/server-module.test.ts',
  'test/compiler/stubs-typecheck.test.ts',
  'test/compiler/validators.test.ts',
  'test/compiler/watch.test.ts',
  'test/counters/counter-service.test.ts',
  'test/middleware/chain.test.ts',
  'test/periodic/cron.test.ts',
  'test/periodic/periodic-check.test.ts',
  'test/package/lockfile.test.ts',
  'test/runtime/alone-gate.test.ts',
  'test/runtime/argument-names.test.ts',
  'test/runtime/trickle.test.ts',
  'test/runtime/deadline.test.ts',
  'test/runtime/execution-metrics-format.test.ts',
  'test/runtime/host-process.test.ts',
  'test/runtime/job-patch.test.ts',
  'test/runtime/job.test.ts',
  'test/runtime/keys-documented.test.ts',
  'test/runtime/no-double-casts.test.ts',
  'test/runtime/unique-basenames.test.ts',
  'test/runtime/wall-anchor.test.ts',
  'test/runtime/logger.test.ts',
  'test/runtime/log-buffer.test.ts',
  'test/runtime/prefetch.test.ts',
  'test/runtime/process-info.test.ts',
  'test/runtime/redis-url.test.ts',
  'test/runtime/registry.test.ts',
  'test/runtime/swarm-args.test.ts',
  'test/testing/batches-testing.test.ts',
  'test/testing/fake-mode.test.ts',
  'test/testing/inline-mode.test.ts',
  'test/testing/unique-and-debounce.test.ts',
  'test/testing/workflows-testing.test.ts',
  'test/web/building-blocks.test.ts',
];
export const SLOW = [
  'test/bench/**/*.test.ts',
  'test/batches/proof.test.ts',
  'test/workflows/proof.test.ts',
  'test/cluster/**/*.test.ts',
  'test/faults/**/*.test.ts',
  'test/interop/**/*.test.ts',
  'test/compiler/daemon.test.ts',
  'test/compiler/e2e.test.ts',
  'test/counters/app-browser.test.ts',
  'test/counters/demo.test.ts',
  'test/unique/limits-proof.test.ts',
  'test/package/deploying.test.ts',
  'test/package/production-install.test.ts',
  'test/package/typescript-registry.test.ts',
  'test/package/opentelemetry.test.ts',
  'test/package/project-setups.test.ts',
  'test/package/tarball.test.ts',
  'test/package/workspaces.test.ts',
  'test/periodic/gen-to-run.test.ts',
  'test/deploys/proof.test.ts',
  'test/periodic/proof.test.ts',
  'test/runtime/script-exit-sentinel.test.ts',
  'test/web/dashboard-browser.test.ts',
  'test/web/metrics-browser.test.ts',
  'test/web/periodic-browser.test.ts',
  'test/web/screenshots.test.ts',
];
// fixtures/counters/test: the sample user tests (fake and inline modes), which import the built package.
const ALL = ['test/**/*.test.ts', 'fixtures/counters/test/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time even on two cores (vitest's default there is one): most files wait on redis-server,
    // child processes, Ruby or a browser rather than on the CPU, so two at once halve the suite's wall time.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // After vitest's own summary: which tiers ran, with their durations.
    reporters: ['default', './test/support/tier-durations.ts'],
    // expect.poll waits for what a user would see happen (a live refresh, a heartbeat): 1 s is too short on a
    // loaded machine, so it gets 10 s before it fails; it still returns as soon as the condition holds.
    expect: { poll: { timeout: 10_000, interval: 50 } },
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: { name: 'integration', include: ALL, exclude: [...configDefaults.exclude, ...UNIT, ...SLOW] },
      },
      { extends: true, test: { name: 'slow', include: SLOW } },
    ],
  },
});
