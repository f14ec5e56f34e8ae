import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../runtime/cli/run.js';
import { DEFAULTS } from '../../runtime/server/run-config.js';
import { REPO_ROOT, RUN_BIN } from '../support/runtime-process.js';

function run(...args: string[]) {
  return spawnSync(process.execPath, [RUN_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, REDIS_URL: '' },
  });
}

describe('sidepunch-run flags', () => {
  it('defaults to Sidekiq defaults', () => {
    const command = parseRunArgs(['dist/registry.js'], {});
    expect(command).toEqual({
      kind: 'run',
      config: {
        registryPath: 'dist/registry.js',
        concurrency: 10,
        queues: [{ name: 'default', weight: 1 }],
        queuesFrom: 'registry',
        timeoutSeconds: 25,
        tag: undefined,
        logLevel: 'info',
        logFormat: 'text',
        redis: DEFAULTS.redis,
        namespace: undefined,
        pollIntervalSeconds: 5,
        maxRetries: 25,
        heartbeatSeconds: 10,
        processTtlSeconds: 60,
        maxBlockSeconds: 300,
        maxRescues: 3,
        containerGraceSeconds: undefined,
        threads: 1,
        processes: 1,
        metricsPort: undefined,
        metricsHost: '127.0.0.1',
        webPort: undefined,
        webHost: '127.0.0.1',
        webAuth: { basic: undefined, token: undefined },
        executionMetrics: 'sidekiq7',
      },
    });
  });

  it('reads --web and --web-host, and the dashboard secrets from the environment only', () => {
    const command = parseRunArgs(['--web', '9292', '--web-host', '0.0.0.0', 'r.js'], {
      SIDEPUNCH_WEB_AUTH: 'admin:secret',
      SIDEPUNCH_WEB_TOKEN: 'a-token-of-16-chars',
    });
    expect(command.kind === 'run' && command.config).toMatchObject({
      webPort: 9292,
      webHost: '0.0.0.0',
      webAuth: { basic: 'admin:secret', token: 'a-token-of-16-chars' },
    });
  });

  it('reads --log-format, else $SIDEPUNCH_LOG_FORMAT', () => {
    const format = (argv: string[], env: NodeJS.ProcessEnv) => {
      const command = parseRunArgs([...argv, 'r.js'], env);
      return command.kind === 'run' && command.config.logFormat;
    };
    expect(format(['--log-format', 'json'], {})).toBe('json');
    expect(format([], { SIDEPUNCH_LOG_FORMAT: 'json' })).toBe('json');
    expect(format(['--log-format=text'], { SIDEPUNCH_LOG_FORMAT: 'json' })).toBe('text');
    expect(format([], { SIDEPUNCH_LOG_FORMAT: '' })).toBe('text');
    expect(() => format([], { SIDEPUNCH_LOG_FORMAT: 'yaml' })).toThrow(
      'log format must be text or json, not "yaml"',
    );
  });

  it('reads --log-level, else $SIDEPUNCH_LOG_LEVEL; an empty one is the default, as every SIDEPUNCH_ variable', () => {
    const level = (argv: string[], env: NodeJS.ProcessEnv) => {
      const command = parseRunArgs([...argv, 'r.js'], env);
      return command.kind === 'run' && command.config.logLevel;
    };
    expect(level([], { SIDEPUNCH_LOG_LEVEL: 'warn' })).toBe('warn');
    expect(level(['--log-level', 'error'], { SIDEPUNCH_LOG_LEVEL: 'warn' })).toBe('error');
    expect(level([], { SIDEPUNCH_LOG_LEVEL: '' })).toBe('info');
  });

  it('reads --metrics-port and --metrics-host', () => {
    const command = parseRunArgs(['--metrics-port', '9400', '--metrics-host', '0.0.0.0', 'r.js'], {});
    expect(command.kind === 'run' && command.config).toMatchObject({
      metricsPort: 9400,
      metricsHost: '0.0.0.0',
    });
  });

  it('reads --execution-metrics, else $SIDEPUNCH_EXECUTION_METRICS, and refuses another format', () => {
    const config = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const command = parseRunArgs([...argv, 'r.js'], env);
      return command.kind === 'run' ? command.config.executionMetrics : undefined;
    };
    expect(config(['--execution-metrics', 'sidekiq8'])).toBe('sidekiq8');
    expect(config([], { SIDEPUNCH_EXECUTION_METRICS: 'off' })).toBe('off');
    expect(config(['--execution-metrics', 'sidekiq7'], { SIDEPUNCH_EXECUTION_METRICS: 'off' })).toBe(
      'sidekiq7',
    );
    expect(() => config(['--execution-metrics', 'sidekiq9'])).toThrow(
      'execution metrics must be sidekiq7, sidekiq8 or off, not "sidekiq9"',
    );
  });

  it('reads short and long flags, repeated queues with weights, and REDIS_URL', () => {
    const command = parseRunArgs(
      ['-c', '50', '-q', 'critical,3', '--queue', 'default', '-t', '8', '-g', 'api', '-v', 'reg.js'],
      { REDIS_URL: 'redis://elsewhere:6380/2' },
    );
    expect(command.kind === 'run' && command.config).toMatchObject({
      concurrency: 50,
      queues: [
        { name: 'critical', weight: 3 },
        { name: 'default', weight: 1 },
      ],
      queuesFrom: 'flags',
      timeoutSeconds: 8,
      tag: 'api',
      logLevel: 'debug',
      redis: 'redis://elsewhere:6380/2',
    });
  });

  it.each([
    [['--bogus', 'r.js'], 'unknown flag --bogus'],
    [['-x', 'r.js'], 'unknown flag -x'],
    [['-c', '0', 'r.js'], 'concurrency must be a whole number of at least 1, not "0"'],
    [['-c', '2.5', 'r.js'], 'concurrency must be a whole number of at least 1, not "2.5"'],
    [['-c'], 'flag -c needs a value'],
    [['--concurrency'], 'flag --concurrency needs a value'],
    [['-c', '-v', 'r.js'], 'flag -c needs a value'],
    [['--verbose=yes', 'r.js'], 'flag --verbose takes no value'],
    [['-q', 'a,x', 'r.js'], 'weight of queue "a" must be a whole number of at least 1, not "x"'],
    [['-q', 'a', '-q', 'a', 'r.js'], 'queue "a" is given twice'],
    [['-q', 'critical ,3', '-q', 'critical', 'r.js'], 'queue "critical" is given twice'],
    [['--timeout=-1', 'r.js'], 'timeout must be a number of seconds (0 or more), not "-1"'],
    [['-t', '-1', 'r.js'], 'flag -t must not be negative, not "-1"'],
    [['--heartbeat', '-5', 'r.js'], 'flag --heartbeat must not be negative, not "-5"'],
    [
      ['--heartbeat', '10', '--process-ttl', '15', 'r.js'],
      'process TTL (15 s) must be at least twice the heartbeat (10 s), or live processes look dead',
    ],
    [
      ['--heartbeat', '1', '--process-ttl', '2.5', 'r.js'],
      'process TTL must be a whole number of seconds (Redis expires keys by the second), not "2.5"',
    ],
    [['--max-block', '0', 'r.js'], 'max block must be more than 0 seconds'],
    // Node fires a longer timer after 1 ms: -t would requeue at once, --poll-interval poll without a pause.
    [
      ['-t', '3000000', 'r.js'],
      'timeout must be at most 2147483 seconds (about 24.8 days, the longest a Node timer waits), not "3000000"',
    ],
    [
      ['--poll-interval', '1e7', 'r.js'],
      'poll interval must be at most 2147483 seconds (about 24.8 days, the longest a Node timer waits), not "1e7"',
    ],
    [
      ['--heartbeat', '3000000', '--process-ttl', '6000000', 'r.js'],
      'heartbeat must be at most 2147483 seconds (about 24.8 days, the longest a Node timer waits), not "3000000"',
    ],
    [
      ['--container-grace', 'soon', 'r.js'],
      'container grace must be a number of seconds (0 or more), not "soon"',
    ],
    [['--threads', '0', 'r.js'], 'threads must be a whole number of at least 1, not "0"'],
    [['--metrics-port', '70000', 'r.js'], 'metrics port must be a port number from 0 to 65535, not "70000"'],
    [
      ['--processes', '2', '--metrics-port', '65535', 'r.js'],
      'metrics port 65535 with 2 processes would give child 2 port 65536: use a port of at most 65534',
    ],
    [['--web', 'x', 'r.js'], 'web port must be a port number from 0 to 65535, not "x"'],
    [['--log-level', 'loud', 'r.js'], 'log level must be debug, info, warn or error, not "loud"'],
    [['--log-format', 'xml', 'r.js'], 'log format must be text or json, not "xml"'],
    [
      ['--log-level', 'constructor', 'r.js'],
      'log level must be debug, info, warn or error, not "constructor"',
    ],
    [['--log-level', '__proto__', 'r.js'], 'log level must be debug, info, warn or error, not "__proto__"'],
    [
      ['-t', '1e9', 'r.js'],
      'timeout must be at most 2147483 seconds (about 24.8 days, the longest a Node timer waits), not "1e9"',
    ],
    [
      ['--heartbeat', '3000000', '--process-ttl', '6000000', 'r.js'],
      'heartbeat must be at most 2147483 seconds (about 24.8 days, the longest a Node timer waits), not "3000000"',
    ],
    [
      ['--poll-interval', '1e10', 'r.js'],
      'poll interval must be at most 2147483 seconds (about 24.8 days, the longest a Node timer waits), not "1e10"',
    ],
    [
      ['--max-block', '9e9', 'r.js'],
      'max block must be at most 2147483 seconds (about 24.8 days, the longest a Node timer waits), not "9e9"',
    ],
    [[], 'missing the registry file, e.g. sidepunch-run dist/registry.js'],
    [['a.js', 'b.js'], 'expected one registry file, got a.js b.js'],
  ])('%j is refused with one line and exit 2', (args, message) => {
    const result = run(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`sidepunch-run: ${message} (see --help)\n`);
  });

  it('a registry file that is not there says to run sidepunch-gen first, one line and exit 1', () => {
    const result = run('/nowhere/registry.js');
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'sidepunch-run: cannot load registry /nowhere/registry.js: not found — run sidepunch-gen first to generate it, or give the path of a registry you wrote\n',
    );
  });

  it('a registry with a syntax error names the line, one line and exit 1', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sidepunch-syntax-'));
    const file = path.join(dir, 'registry.mjs');
    writeFileSync(file, 'export default {\n  workers: {\n    X: class { perform() {} }\n  } oops\n};\n');
    try {
      const result = run('--redis', 'redis://127.0.0.1:1/0', file);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        /^sidepunch-run: cannot load registry .*registry\.mjs: Unexpected identifier 'oops' \(at .*registry\.mjs:4\)\n$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a module that is not a registry says what a registry is', () => {
    const result = run(`${REPO_ROOT}fixtures/registries/not-a-registry.mjs`);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /not-a-registry.mjs is not a Sidepunch registry: its default export needs a "workers" object mapping class names/,
    );
  });

  it('a registry whose configureServer throws is one line and exit 1', () => {
    const registry = `${REPO_ROOT}fixtures/registries/configure-throws.mjs`;
    const result = run('--redis', 'redis://127.0.0.1:1/0', registry);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `sidepunch-run: ${registry}: configureServer threw Error: METRICS_TOKEN is not set\n`,
    );
  });

  it('--help, and -V or --version', () => {
    expect(run('--help').stdout).toMatch(/Usage: sidepunch-run \[options\] <registry.js>/);
    for (const flag of ['-V', '--version']) {
      const version = run(flag);
      expect(version.status).toBe(0);
      expect(version.stdout).toMatch(/^sidepunch-run \d+\.\d+\.\d+\n$/);
    }
  });
});
