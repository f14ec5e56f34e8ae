/**
 * Real Ruby Sidekiq for the interop tests: whether `ruby` with the sidekiq gem is here (without it the tests skip,
 * saying why, or fail under CI: required-tool.ts), the scripts in fixtures/interop/ that push and read through
 * Sidekiq's own API, and a real `sidekiq` process loading fixtures/interop/workers.rb.
 */
import { execFile, spawnSync } from 'node:child_process';
import { requireTool } from '../../support/required-tool.js';
import { REPO_ROOT, type RuntimeProcess, startProcess } from '../../support/runtime-process.js';

export const INTEROP_DIR = `${REPO_ROOT}fixtures/interop/`;

/** Why Ruby Sidekiq cannot run here, or undefined. */
function sidekiqMissing(): string | undefined {
  const probe = spawnSync('ruby', ['-e', 'require "sidekiq"']);
  if (probe.error) return 'ruby is not installed (apt-get install ruby-sidekiq)';
  if (probe.status !== 0) return 'the sidekiq gem is not installed (apt-get install ruby-sidekiq)';
  return undefined;
}

export const rubySidekiq = requireTool(sidekiqMissing());

/** A describe title that says when, and why, the block is skipped. */
export const interopTitle = rubySidekiq.title;

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
