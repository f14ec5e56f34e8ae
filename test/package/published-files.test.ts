/**
 * What the registry page and an installed copy show: the tarball carries the LICENSE package.json names, and
 * every relative link in README.md and in the docs it links to resolves to a file inside the tarball (the
 * registry renders the README alone, so a link to a file left out is a broken link there).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/runtime-process.js';

const packed: string[] = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  }),
)[0].files.map((file: { path: string }) => file.path);

/** The relative link targets of a Markdown file (`[text](target)` and `![alt](target)`), without their #anchor. */
function relativeLinks(file: string): string[] {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z+.-]*:/i.test(target) && !target.startsWith('#'))
    .map((target) => path.posix.normalize(path.posix.join(path.posix.dirname(file), target.split('#')[0]!)));
}

describe('the published files', () => {
  it('include the MIT LICENSE that package.json names', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(manifest.license).toBe('MIT');
    expect(packed).toContain('LICENSE');
    const license = readFileSync(path.join(REPO_ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} Sidepunch contributors\n/);
  });

  it('hold every file README.md links to, and every file those docs link to', () => {
    const linked = new Set<string>();
    const pending = ['README.md'];
    while (pending.length > 0) {
      for (const target of relativeLinks(pending.pop()!)) {
        if (linked.has(target)) continue;
        linked.add(target);
        if (target.endsWith('.md') && packed.includes(target)) pending.push(target);
      }
    }
    expect(linked.size).toBeGreaterThan(20);
    expect([...linked].filter((target) => !packed.includes(target))).toEqual([]);
  });

  it("give TypeScript without `exports` (a CommonJS app's `module: commonjs`) each subpath's CommonJS declarations", () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    const subpaths = Object.entries(manifest.exports as Record<string, { require?: { types: string } }>)
      .filter(([subpath, target]) => subpath !== '.' && target.require)
      .map(([subpath, target]) => [subpath.slice(2), target.require!.types] as const);
    expect(subpaths.map(([name]) => name)).toEqual(['testing', 'embed', 'esbuild']);
    for (const [name, types] of subpaths) {
      expect([name, manifest.typesVersions?.['*']?.[name]]).toEqual([name, [types]]);
      expect(packed).toContain(types.replace(/^\.\//, ''));
    }
  });
});
