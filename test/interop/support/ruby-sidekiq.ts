/**
 * Real Ruby Sidekiq for the interop tests: whether `ruby` with the sidekiq gem is here (the tests skip, saying
 * why, when it is not), the scripts in fixtures/interop/ that push and read through Sidekiq's own API, and a
 * real `sidekiq` process loading fixtures/interop/workers.rb.
 */
import { execFile, spawnSync } from 'node:child_process';
import { REPO_ROOT, type RuntimeProcess, startProcess } from '../../support/runtime-process.js';

export const INTEROP_DIR = `${REPO_ROOT}fixtures/interop/`;

/** `Sidekiq::VERSION`, or why Ruby Sidekiq cannot run here. */
function detectSidekiq(): { version?: string; missing?: string } {
  const probe = spawnSync('ruby', ['-e', 'require "sidekiq"; print Sidekiq::VERSION'], { encoding: 'utf8' });
  if (probe.error) return { missing: 'ruby is not installed' };
  if (probe.status !== 0)
    return { missing: 'the sidekiq gem is not installed (apt-get install ruby-sidekiq)' };
  return { version: probe.stdout.trim() };
}

export const rubySidekiq = detectSidekiq();

/** A describe title that says when, and why, the block is skipped. */
export function interopTitle(title: string): string {
  return rubySidekiq.missing ? `${title} (skipped: ${rubySidekiq.missing})` : title;
}

/** Runs `ruby fixtures/interop/<script> …args` on this Redis and parses the JSON it prints. */
export function runRuby<T = unknown>(
  script: string,
  redisUrl: string,
  args: readonly string[] = [],
): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      'ruby',
      [`${INTEROP_DIR}${script}`, ...args],
      { env: { ...process.env, REDIS_URL: redisUrl }, maxBuffer: 64 * 1024 * 1024 },
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
export function startSidekiq(redisUrl: string, args: readonly string[]): RuntimeProcess {
  return startProcess(
    'sidekiq',
    ['-r', './fixtures/interop/workers.rb', ...args],
    { ...process.env, REDIS_URL: redisUrl },
    REPO_ROOT,
  );
}
