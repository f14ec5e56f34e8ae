/**
 * Ruby Sidekiq 7.3.9 for the benchmark's third column (issue #25), run from the unmodified vendored copy in
 * `../shared/vendor/ruby` (SIDEKIQ_VENDOR_DIR elsewhere), loaded through RUBYLIB as the interop tests load it
 * (test/interop/support/ruby-sidekiq.ts): never copied into the project. YJIT is on when this Ruby has it
 * (RUBY_YJIT_ENABLE=1), as Sidekiq's published figures were measured. `sidekiqMissing()` says why the column is
 * skipped, or undefined.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const GEMS = ['sidekiq-7.3.9', 'connection_pool-2.5.5', 'redis-client-0.26.1'];

function vendorDir(root: string): string {
  return (
    process.env.SIDEKIQ_VENDOR_DIR ??
    [`${root}../shared/vendor/ruby`, '/work/shared/vendor/ruby'].find((dir) => existsSync(dir)) ??
    `${root}../shared/vendor/ruby`
  );
}

export interface RubySidekiq {
  readonly env: Readonly<Record<string, string>>;
  /** The `sidekiq` command, as argv. */
  readonly command: readonly string[];
  /** `ruby 3.1.2, YJIT on`. */
  readonly description: string;
}

/** The vendored Sidekiq 7.3.9 and its Ruby, or why it cannot run here. */
export function findRubySidekiq(root: string): RubySidekiq | { missing: string } {
  const dirs = GEMS.map((gem) => `${vendorDir(root)}/${gem}`);
  const absent = dirs.filter((dir) => !existsSync(dir));
  if (absent.length > 0) return { missing: `Sidekiq 7.3.9 is not vendored (no ${absent.join(', ')})` };
  const env = { RUBYLIB: dirs.map((dir) => `${dir}/lib`).join(':'), RUBY_YJIT_ENABLE: '1' };
  const probe = spawnSync(
    'ruby',
    [
      '-e',
      'require "sidekiq"; print Sidekiq::VERSION, " ", RUBY_VERSION, " ", defined?(RubyVM::YJIT) && RubyVM::YJIT.enabled? ? "on" : "off"',
    ],
    { env: { ...process.env, ...env }, encoding: 'utf8' },
  );
  if (probe.error) return { missing: 'ruby is not installed' };
  const [version, ruby, yjit] = probe.stdout.split(' ');
  if (probe.status !== 0 || version !== '7.3.9')
    return { missing: `Sidekiq 7.3.9 does not load: ${probe.stderr.trim()}` };
  return { env, command: ['ruby', `${dirs[0]}/bin/sidekiq`], description: `Ruby ${ruby}, YJIT ${yjit}` };
}

/** `ruby bench/sidekiq-enqueue.rb <mode> <n>` on `redisUrl`; what it prints. */
export function rubyEnqueue<T>(
  root: string,
  sidekiq: RubySidekiq,
  redisUrl: string,
  mode: 'bulk' | 'single',
  n: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      'ruby',
      [`${root}bench/sidekiq-enqueue.rb`, mode, String(n)],
      { env: { ...process.env, ...sidekiq.env, REDIS_URL: redisUrl }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          return reject(new Error(`ruby sidekiq-enqueue.rb ${mode} failed: ${stderr || error.message}`));
        // The result is the last line; Sidekiq may log above it.
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as T);
      },
    );
  });
}
