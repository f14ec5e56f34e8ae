/**
 * ts-morph and esbuild are sidepunch-gen's alone, so they are not sidepunch's dependencies: an app keeps them in
 * its devDependencies, a production install (`npm ci --omit=dev`) has neither, and enqueueing, sidepunch-run and
 * sidepunch-web never load them (docs/deploying.md says why not peer dependencies). Before anything imports them,
 * sidepunch-gen and the esbuild plugin find each as Node's resolver would from here and check its version against
 * the range below: what is missing or out of range becomes one line ending in the npm command that fixes it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The versions sidepunch-gen supports (npm caret ranges); this repo builds and tests with the ones it pins. */
export const BUILD_DEPENDENCIES: Readonly<Record<string, string>> = {
  'ts-morph': '^28.0.0',
  esbuild: '^0.28.2',
};

/** sidepunch-gen's exit code when one of them is missing or of an unsupported version. */
export const MISSING_BUILD_DEPENDENCY_EXIT = 3;

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * What is wrong with the installed ts-morph and esbuild, as one line for a caller to prefix with its name, or
 * undefined when both are installed at supported versions. `from`: where resolution starts (tests point it
 * elsewhere).
 */
export function buildDependencyProblem(
  from: string = HERE,
  ranges: Readonly<Record<string, string>> = BUILD_DEPENDENCIES,
): string | undefined {
  const missing: string[] = [];
  const unsupported: string[] = [];
  const specs: string[] = [];
  for (const [name, range] of Object.entries(ranges)) {
    const version = installedVersion(name, from);
    if (version === undefined) missing.push(name);
    else if (!satisfiesCaret(version, range))
      unsupported.push(`${name} ${version} is installed, outside the supported ${range}`);
    else continue;
    specs.push(`${name}@${range}`);
  }
  if (specs.length === 0) return undefined;
  const reasons = [...unsupported];
  if (missing.length > 0)
    reasons.unshift(`${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not installed`);
  const how = specs.length === 1 ? 'it as a devDependency' : 'them as devDependencies';
  return `${reasons.join(', and ')}; install ${how}: npm install --save-dev ${specs.join(' ')}`;
}

/** npm's caret: `^1.2.3` is 1.x from 1.2.3, `^0.28.2` is 0.28.x from 0.28.2; no pre-release matches. */
export function satisfiesCaret(version: string, range: string): boolean {
  const min = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range)?.slice(1).map(Number);
  if (!min) throw new Error(`unsupported range ${range}: write ^major.minor.patch`);
  const got = /^(\d+)\.(\d+)\.(\d+)(?:\+.*)?$/.exec(version)?.slice(1).map(Number);
  if (!got) return false;
  // The leading parts up to the first non-zero one must match exactly; from there on, at least the minimum.
  const fixed = min[0]! > 0 ? 1 : min[1]! > 0 ? 2 : 3;
  for (let i = 0; i < 3; i++) {
    if (i < fixed && got[i] !== min[i]) return false;
    if (got[i] !== min[i]) return got[i]! > min[i]!;
  }
  return true;
}

/** The version in `node_modules/<name>/package.json` of the nearest directory from `from` up, as Node finds it. */
function installedVersion(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== 'node_modules') {
      try {
        const manifest = JSON.parse(
          readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8'),
        );
        return String(manifest.version);
      } catch {
        // not installed here
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}
