/**
 * runtime/ states its types rather than forcing them: a cast through `unknown` (`x as unknown as T`) hides a type
 * that is wrong, as a Cluster cast to Redis once did, so none may come back unnoticed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/runtime-process.js';

const RUNTIME = `${REPO_ROOT}runtime/`;

describe('runtime/ source', () => {
  it('has no cast through unknown', () => {
    const found: string[] = [];
    for (const file of readdirSync(RUNTIME, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue;
      readFileSync(`${RUNTIME}${file}`, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\bas unknown as\b/.test(line)) found.push(`runtime/${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });
});
