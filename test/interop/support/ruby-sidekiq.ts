/**
 * Real Ruby Sidekiq for the interop tests, in two generations: Debian's 6.4.1 (`apt-get install ruby-sidekiq`) and
 * the unmodified 7.3.9 in the shared vendor folder, loaded through RUBYLIB (../shared/vendor/ruby/README.md).
 * Without one, its half of each test file skips, saying why (or fails under CI: required-tool.ts). The scripts in
 * fixtures/interop/ push and read through Sidekiq's own API; `startSidekiq` runs a real `sidekiq` process loading
 * fixtures/interop/workers.rb.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import { type RequiredTool, requireTool } from '../../support/required-tool.js';
import { REPO_ROOT, type RuntimeProcess, startProcess } from '../../support/runtime-process.js';

export const INTEROP_DIR = `${REPO_ROOT}fixtures/interop/`;

/**
 * Where the vendored gems are: SIDEKIQ_VENDOR_DIR, else `../shared/vendor/ruby` beside the project, else the
 * workplace's `/work/shared/vendor/ruby` (a fresh clone elsewhere, as a CI check makes, still finds it).
 */
const VENDOR_DIR =
  process.env.SIDEKIQ_VENDOR_DIR ??
  [`${REPO_ROOT}../shared/vendor/ruby`, '/work/shared/vendor/ruby'].find((dir) => existsSync(dir)) ??
  `${REPO_ROOT}../shared/vendor/ruby`;
const VENDORED_GEMS = ['sidekiq-7.3.9', 'connection_pool-2.5.5', 'redis-client-0.26.1'];

export interface SidekiqGeneration {
  /** The version the block runs against, e.g. `7.3.9`. */
  readonly name: string;
  readonly major: number;
  /** What the Ruby commands add to the environment (RUBYLIB for a vendored copy). */
  readonly env: Readonly<Record<string, string>>;
  /** The `sidekiq` command, as argv. */
  readonly command: readonly string[];
  readonly tool: RequiredTool;
}

/** Why `ruby` cannot load Sidekiq `version` with `env`, or undefined. */
function sidekiqMissing(version: string, env: Record<string, string>, howTo: string): string | undefined {
  const probe = spawnSync('ruby', ['-e', 'require "sidekiq"; print Sidekiq::VERSION'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (probe.error) return `ruby is not installed (${howTo})`;
  if (probe.status !== 0) return `Sidekiq ${version} does not load (${howTo})`;
  if (probe.stdout !== version) return `Sidekiq ${probe.stdout} loads instead of ${version} (${howTo})`;
  return undefined;
}

function debianSidekiq(): SidekiqGeneration {
  const missing = sidekiqMissing('6.4.1', {}, 'apt-get install ruby-sidekiq');
  return { name: '6.4.1', major: 6, env: {}, command: ['sidekiq'], tool: requireTool(missing) };
}

function vendoredSidekiq(): SidekiqGeneration {
  const dirs = VENDORED_GEMS.map((gem) => `${VENDOR_DIR}/${gem}`);
  const env = { RUBYLIB: dirs.map((dir) => `${dir}/lib`).join(':') };
  const absent = dirs.filter((dir) => !existsSync(dir));
  const howTo = 'the vendored gems go in ../shared/vendor/ruby, or set SIDEKIQ_VENDOR_DIR';
  const missing =
    absent.length > 0
      ? `Sidekiq 7.3.9 is not vendored: no ${absent.join(', ')} (${howTo})`
      : sidekiqMissing('7.3.9', env, howTo);
  return {
    name: '7.3.9',
    major: 7,
    env,
    command: ['ruby', `${dirs[0]}/bin/sidekiq`],
    tool: requireTool(missing),
  };
}

/** Both generations, probed once per test file. */
export const GENERATIONS: readonly SidekiqGeneration[] = [debianSidekiq(), vendoredSidekiq()];

/** The first generation that can run here, for the files that need one Ruby but not a particular one. */
export const rubySidekiq: RequiredTool =
  GENERATIONS.find((generation) => generation.tool.missing === undefined)?.tool ?? GENERATIONS[0]!.tool;

/**
 * `body` once per generation (from major version `since` on), in a describe block titled `title (Sidekiq x.y.z)`,
 * skipped where it cannot run.
 */
export function describeEachSidekiq(
  title: string,
  body: (sidekiq: SidekiqGeneration) => void,
  extra?: RequiredTool,
  since = 6,
): void {
  for (const sidekiq of GENERATIONS.filter((generation) => generation.major >= since)) {
    const skip = sidekiq.tool.missing !== undefined || extra?.missing !== undefined;
    const named = `${title} (Sidekiq ${sidekiq.name})`;
    describe.skipIf(skip)(extra ? extra.title(sidekiq.tool.title(named)) : sidekiq.tool.title(named), () =>
      body(sidekiq),
    );
  }
}

/** Runs `ruby fixtures/interop/<script> …args` on this Redis and parses the JSON it prints. */
export function runRuby<T = unknown>(
  script: string,
  redisUrl: string,
  args: readonly string[] = [],
  sidekiq: SidekiqGeneration = GENERATIONS[0]!,
): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      'ruby',
      [`${INTEROP_DIR}${script}`, ...args],
      { env: { ...process.env, ...sidekiq.env, REDIS_URL: redisUrl }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`ruby ${script} failed: ${error.message}\n${stderr}`));
        try {
          resolve(JSON.parse(stdout) as T);
        } catch {
          reject(new Error(`ruby ${script} printed no JSON:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

/** `sidekiq -r ./fixtures/interop/workers.rb …args` on this Redis; stop it with `stop('SIGTERM')`. */
export function startSidekiq(
  redisUrl: string,
  args: readonly string[],
  sidekiq: SidekiqGeneration = GENERATIONS[0]!,
): RuntimeProcess {
  const [command, ...commandArgs] = sidekiq.command;
  return startProcess(
    command!,
    [...commandArgs, '-r', './fixtures/interop/workers.rb', ...args],
    { ...process.env, ...sidekiq.env, REDIS_URL: redisUrl },
    REPO_ROOT,
  );
}

/** The line each generation prints as it boots (6.4: Booting; 7.x: its default pool connecting). */
export const SIDEKIQ_STARTED = /Booting Sidekiq|Sidekiq 7[.\d]+ connecting to Redis with options .*"default"/;
