/**
 * The stubs committed with the fixture apps (their sources, tests and typecheck import them) are what
 * sidepunch-gen writes today: `sidepunch-gen --check` finds none of them stale, so a compiler change cannot leave
 * them behind. Regenerate one with `cd fixtures/<app> && npx sidepunch-gen`.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/fixture-config.js';
import { runCli } from './support/run-cli.js';

const FIXTURES = path.join(REPO, 'fixtures');
const withStubs = readdirSync(FIXTURES).filter((name) =>
  existsSync(path.join(FIXTURES, name, 'src/sidepunch.generated.ts')),
);
/** The registry is build output (the fixture's dist/, never committed): --check may well find it missing. */
const REGISTRY_ONLY = 'sidepunch-gen --check: dist/registry.js is out of date. Run sidepunch-gen.\n';

describe('the stubs committed with the fixture apps', () => {
  it('are found where sidepunch-gen writes them by default', () => {
    expect(withStubs).toEqual(expect.arrayContaining(['counters', 'interop']));
  });

  it.each(withStubs)('fixtures/%s: sidepunch-gen --check finds them up to date', async (name) => {
    const check = await runCli(path.join(FIXTURES, name), '--check', '--no-cache');
    expect(check.stderr === REGISTRY_ONLY ? '' : check.stderr).toBe('');
  });
});
