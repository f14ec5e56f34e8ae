/**
 * Golden files: each fixtures/workers/<case>/ is a small project; its expected/ folder holds what sidepunch-gen
 * makes of it: the stubs module, the registry entry, and the diagnostics (exactly as printed). Run with
 * UPDATE_GOLDENS=1 to rewrite them, then review the diff like code.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '../../../compiler/format-diagnostics.js';
import { generate } from '../../../compiler/generate.js';
import { fixtureConfig, WORKER_FIXTURES } from './fixture-config.js';

const UPDATE = process.env.UPDATE_GOLDENS === '1';

const cases = readdirSync(WORKER_FIXTURES)
  .filter((name) => statSync(path.join(WORKER_FIXTURES, name)).isDirectory())
  .sort();

/** Golden tests of one kind of case: a shard, so vitest runs the kinds in parallel. */
export function goldenCases(prefix: string): void {
  describe.each(cases.filter((name) => name.startsWith(prefix)))('%s', (name) => {
    it('generates the expected stubs, registry entry and diagnostics', async () => {
      const dir = path.join(WORKER_FIXTURES, name);
      const config = fixtureConfig(dir);
      const result = await generate(config, { skipBundle: true });
      const actual: Record<string, string | undefined> = {
        'stubs.ts': result.outputs.find((output) => output.path === config.out)?.text,
        'registry-entry.ts': result.diagnostics.length === 0 ? result.registryEntry : undefined,
        'diagnostics.txt':
          result.diagnostics.length > 0 ? formatDiagnostics(result.diagnostics, { cwd: dir }) : undefined,
      };
      const expectedDir = path.join(dir, 'expected');
      for (const [file, text] of Object.entries(actual)) {
        const golden = path.join(expectedDir, file);
        if (UPDATE) {
          if (text === undefined) rmSync(golden, { force: true });
          else {
            mkdirSync(expectedDir, { recursive: true });
            writeFileSync(golden, text);
          }
          continue;
        }
        const expected = existsSync(golden) ? readFileSync(golden, 'utf8') : undefined;
        expect(text, `${name}/expected/${file} (UPDATE_GOLDENS=1 rewrites it)`).toBe(expected);
      }
      expect(existsSync(config.out), 'the golden run writes nothing').toBe(false);
    });
  });
}
