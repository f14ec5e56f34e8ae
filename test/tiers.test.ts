/**
 * Every test file runs in exactly one tier (vitest.config.ts), so that none falls through `npm test` and none runs
 * twice. The tiers are asked of vitest itself, as `npm test` resolves them.
 */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createVitest } from 'vitest/node';
import { SLOW, UNIT } from '../vitest.config.js';
import { REPO_ROOT } from './support/runtime-process.js';

/** Every `*.test.ts` under test/ and fixtures/, build output and dependencies aside. */
function testFiles(): string[] {
  return ['test', 'fixtures'].flatMap((dir) =>
    readdirSync(`${REPO_ROOT}${dir}`, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.test.ts') && !/(^|\/)(node_modules|dist)\//.test(file))
      .map((file) => `${REPO_ROOT}${dir}/${file}`),
  );
}

describe('the test tiers', () => {
  it('hold every test file exactly once', async () => {
    const vitest = await createVitest('test', { watch: false, config: `${REPO_ROOT}vitest.config.ts` });
    const tiers = new Map<string, string[]>();
    try {
      for (const spec of await vitest.globTestSpecifications()) {
        tiers.set(spec.moduleId, [...(tiers.get(spec.moduleId) ?? []), spec.project.name]);
      }
    } finally {
      await vitest.close();
    }
    const misplaced = testFiles()
      .map((file) => ({ file: file.slice(REPO_ROOT.length), tiers: tiers.get(file) ?? [] }))
      .filter(({ tiers }) => tiers.length !== 1);
    expect(misplaced).toEqual([]);
    expect([...new Set([...tiers.values()].flat())].sort()).toEqual(['integration', 'slow', 'unit']);
  });

  it('name no file that is gone (a renamed file would drop into integration)', () => {
    const named = [...UNIT, ...SLOW].filter((glob) => !glob.includes('*'));
    expect(named.filter((file) => !existsSync(`${REPO_ROOT}${file}`))).toEqual([]);
  });
});
