/**
 * The bins start on Alpine (node:alpine images), where /usr/bin/env and /bin/sh are BusyBox's and env has no -S:
 * each bin is run as the kernel runs it, from its own first line, with BusyBox's applet as the interpreter. And the
 * V8 settings sidepunch-run's bin adds are real where jobs run: inside a job, V8 reports the heap size limit of
 * `node --max-semi-space-size=4`, not Node's default, and the process runs with `--no-parallel-scavenge`, in one
 * process, in --threads threads and in --processes children. Needs `busybox` (`apt-get install busybox`; .ci/run
 * installs it) and the build.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { PROBE_REGISTRY, REPO_ROOT, RUN_BIN, startProcess, waitUntil } from '../support/runtime-process.js';

const COMMANDS = ['sidepunch-gen', 'sidepunch-run', 'sidepunch-web'] as const;
const { version } = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { version: string };

/**
 * The command the kernel runs for `bin`: the interpreter on its `#!` line (replaced by the BusyBox applet of the
 * same name), that line's one optional argument, the file.
 */
function asBusyBoxRunsIt(bin: string): { command: string; args: string[] } {
  const shebang = /^#!\s*(\S+)(?:[ \t]+(.*?))?[ \t]*$/m.exec(readFileSync(bin, 'utf8').split('\n')[0]!);
  if (!shebang) throw new Error(`${bin} has no #! line`);
  const [, interpreter, argument] = shebang;
  return { command: 'busybox', args: [path.basename(interpreter!), ...(argument ? [argument] : []), bin] };
}

function heapLimit(...nodeFlags: string[]): number {
  const script = 'process.stdout.write(String(require("node:v8").getHeapStatistics().heap_size_limit))';
  return Number(execFileSync(process.execPath, [...nodeFlags, '-e', script], { encoding: 'utf8' }));
}

describe('under BusyBox (Alpine)', () => {
  it.each(COMMANDS)('bin/%s.js starts from its own #! line and prints its version', (name) => {
    const { command, args } = asBusyBoxRunsIt(`${REPO_ROOT}bin/${name}.js`);
    const result = spawnSync(command, [...args, '--version'], { encoding: 'utf8' });
    expect(result.error, 'busybox must be installed (apt-get install busybox)').toBeUndefined();
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 0,
      stdout: `${name} ${version}\n`,
      stderr: '',
    });
  });
});

describe("sidepunch-run's V8 young-generation settings", () => {
  const fixture = useRedis();
  const capped = heapLimit('--max-semi-space-size=4');

  it('changes what V8 reports, so the check below can tell', () => {
    expect(capped).toBeLessThan(heapLimit());
  });

  it.each([
    ['one process', []],
    ['--threads 2', ['--threads', '2']],
    ['--processes 2', ['--processes', '2']],
  ])('holds where jobs run: %s', async (_mode, flags) => {
    const jobs = 20;
    await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: jobs }, (_, i) => [i % 2 ? 'heap-limit' : 'node-flags', 'cap']),
    });
    const { command, args } = asBusyBoxRunsIt(RUN_BIN);
    const runtime = startProcess(
      command,
      [...args, '--redis', fixture.server.url, '--log-level', 'warn', ...flags, PROBE_REGISTRY],
      { ...process.env, REDIS_URL: fixture.server.url },
    );
    try {
      const recorded = async () =>
        (await fixture.redis.llen('probe:heap-limit:cap')) +
        (await fixture.redis.llen('probe:node-flags:cap'));
      await waitUntil('every job', async () => (await recorded()) === jobs);
      const limits = await fixture.redis.lrange('probe:heap-limit:cap', 0, -1);
      expect(new Set(limits.map(Number))).toEqual(new Set([capped]));
      const flags = await fixture.redis.lrange('probe:node-flags:cap', 0, -1);
      expect(flags).toHaveLength(jobs / 2);
      for (const line of flags) expect(line.split(' ')).toContain('--no-parallel-scavenge');
    } finally {
      expect(await runtime.stop('SIGTERM')).toBe(0);
    }
  });
});
