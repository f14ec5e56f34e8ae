/**
 * A file's name alone says what it is (issue #18): no basename repeats across runtime/'s folders or compiler/'s, so
 * an import, a stack trace or an editor tab names one file. A new `metrics.ts` beside two others once slipped in.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/runtime-process.js';

function repeatedBasenames(folder: string): string[] {
  const byName = new Map<string, string[]>();
  for (const file of readdirSync(`${REPO_ROOT}${folder}`, { recursive: true, encoding: 'utf8' })) {
    if (!/\.(ts|lua|mjs|js)$/.test(file)) continue;
    const name = path.basename(file);
    byName.set(name, [...(byName.get(name) ?? []), `${folder}${file}`]);
  }
  return [...byName.values()].filter((paths) => paths.length > 1).map((paths) => paths.join(', '));
}

describe('source file names', () => {
  it.each(['runtime/', 'compiler/'])('repeat no basename in %s', (folder) => {
    expect(repeatedBasenames(folder)).toEqual([]);
  });
});
