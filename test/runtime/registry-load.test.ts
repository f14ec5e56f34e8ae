/** Loading the registry: a top-level await that never settles is an error, not a silent exit 0. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, RUN_BIN, startRuntime } from '../support/runtime-process.js';

function run(...args: string[]) {
  return spawnSync(process.execPath, [RUN_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, REDIS_URL: '' },
    timeout: 20_000,
  });
}

describe('loading the registry', () => {
  it('a registry whose top-level await never settles is one line and exit 1', () => {
    const registry = `${REPO_ROOT}fixtures/registries/never-settles.mjs`;
    const result = run('--redis', 'redis://127.0.0.1:1/0', registry);
    expect(result.stderr).toBe(`sidepunch-run: ${registry}: the registry's top-level await never settled\n`);
    expect(result.status).toBe(1);
  });

  it('a registry whose top-level await settles later loads and runs', async () => {
    const registry = `${REPO_ROOT}fixtures/registries/slow-to-load.mjs`;
    // No Redis to reach: the start-up line shows it loaded; SIGTERM then ends it.
    const runtime = startRuntime('redis://127.0.0.1:1/0', ['-t', '0', registry]);
    await runtime.waitForLine(/INFO: sidepunch-run starting/);
    await runtime.stop();
  });
});
