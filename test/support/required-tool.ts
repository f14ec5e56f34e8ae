/**
 * Tools some test files need beyond Node and redis-server: Ruby Sidekiq, Chromium, redis-sentinel, the built
 * dist/. Locally a missing one skips those tests, saying what is missing and how to get it; under CI (CI=true) it
 * fails the test file with that line instead, so CI never passes on a partial suite.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it, type TestFunction } from 'vitest';
import { REPO_ROOT } from './runtime-process.js';

export interface RequiredTool {
  /** What is missing and how to get it, or undefined when the tool is here. */
  readonly missing: string | undefined;
  /** The title, naming what is missing when the block is skipped. */
  title(title: string): string;
  /** `describe`, skipped when the tool is missing. */
  describe(title: string, body: () => void): void;
  /** `it`, skipped when the tool is missing. */
  it(title: string, body: TestFunction, timeout?: number): void;
}

const IN_CI = /^(true|1)$/i.test(process.env.CI ?? '');

/** Call while the file is collected (at its top level or in a describe callback): a throw there fails the file. */
export function requireTool(missing: string | undefined): RequiredTool {
  if (missing !== undefined) {
    if (IN_CI) throw new Error(`CI runs every test, but ${missing}`);
    console.warn(`skipped: ${missing}`);
  }
  const skip = missing !== undefined;
  const title = (text: string) => (skip ? `${text} (skipped: ${missing})` : text);
  return {
    missing,
    title,
    describe: (text, body) => describe.skipIf(skip)(title(text), body),
    it: (text, body, timeout) => it.skipIf(skip)(title(text), body, timeout),
  };
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function requireChromium(): RequiredTool {
  const found = existsSync(CHROMIUM);
  return requireTool(
    found ? undefined : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

export function requireRedisSentinel(): RequiredTool {
  const probe = spawnSync('redis-sentinel', ['--version']);
  return requireTool(
    probe.error ? 'redis-sentinel is not installed (apt-get install redis-sentinel)' : undefined,
  );
}

/** The build's outputs a test runs, as paths from the repository's root. */
export function requireBuiltDist(files: readonly string[]): RequiredTool {
  const absent = files.filter((file) => !existsSync(`${REPO_ROOT}${file}`));
  return requireTool(
    absent.length === 0 ? undefined : `the build is missing ${absent.join(', ')} (npm run build)`,
  );
}
