import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { destroyRedisServer, startRedisServer } from '../../scripts/redis-server.js';
import { startDemo } from '../support/demo-process.js';

/** Whether something still listens on this local port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm run demo', () => {
  it('a shortened run ends with every counter exact and exit 0', async () => {
    const demo = startDemo(['--counters', '3', '--increments', '150', '--decrements', '40']);
    const code = await demo.exited;
    const output = demo.output();
    expect(output).toMatch(/enqueued 190 jobs through the app \(150 increments, 40 decrements\)/);
    expect(output).toMatch(/190\/190 done/);
    expect(output).toMatch(/every counter is exact/);
    const rows = output.split('\n').filter((line) => /^counter \d+ /.test(line));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/✓$/);
    expect(code).toBe(0);
  });

  it('--help prints the flags at once, without generating or bundling the app', async () => {
    const demo = startDemo(['--help']);
    expect(await demo.exited).toBe(0);
    const output = demo.output();
    expect(output).toMatch(/^Usage: npm run demo -- \[options\]/);
    expect(output).toMatch(/--fail-rate R/);
    expect(output).not.toMatch(/sidepunch-gen/);
  });

  it('Ctrl-C while the jobs run stops everything it started, with exit 130 and no error', async () => {
    const demo = startDemo(['--counters', '2', '--increments', '600', '--decrements', '0']);
    await expect.poll(() => demo.output(), { timeout: 60_000 }).toMatch(/enqueued 600 jobs/);
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(130);
    const output = demo.output();
    expect(output).toMatch(/stopping everything the demo started/);
    expect(output).not.toMatch(/^demo:|sidepunch-run exited/m);
    const ports = ['Redis redis://127.0.0.1:', 'counter API http://127.0.0.1:', 'app http://127.0.0.1:'].map(
      (label) => Number(new RegExp(`${label.replace(/[.]/g, '\\.')}(\\d+)`).exec(output)![1]),
    );
    for (const port of ports) expect(await listening(port), `port ${port}`).toBe(false);
  }, 90_000);

  it('a REDIS_URL that nothing answers is one line naming it, and exit 1', async () => {
    const demo = startDemo(
      ['--counters', '1', '--increments', '1', '--decrements', '0'],
      'redis://127.0.0.1:1/0',
    );
    expect(await demo.exited).toBe(1);
    const lines = demo.output().trim().split('\n');
    expect(lines.at(-1)).toMatch(
      /^demo: cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/0 \(REDIS_URL\): .*ECONNREFUSED/,
    );
    expect(demo.output()).not.toMatch(/ioredis|Unhandled/);
  }, 90_000);

  it('a job that dies ends the wait at once, named in the summary, with exit 1', async () => {
    // Slow calls, one counter: the jobs run one at a time, so the last one is still queued when it is killed.
    const demo = startDemo([
      '--counters',
      '1',
      '--increments',
      '3',
      '--decrements',
      '0',
      '--latency',
      '1500',
    ]);
    await expect.poll(() => demo.output(), { timeout: 60_000 }).toMatch(/enqueued 3 jobs/);
    const port = Number(/Redis redis:\/\/127\.0\.0\.1:(\d+)/.exec(demo.output())![1]);
    const redis = new Redis(port, '127.0.0.1');
    try {
      // As the runtime kills a job whose retries ran out: out of where it waits (its queue, or the schedule where
      // the counter's limiter sent it back), into the dead set.
      const killOne = async (): Promise<boolean> => {
        const queued = await redis.lindex('queue:counters', -1);
        if (queued !== null && (await redis.lrem('queue:counters', 1, queued)) === 1) {
          await redis.zadd('dead', Date.now() / 1000, queued);
          return true;
        }
        const [scheduled] = await redis.zrange('schedule', 0, 0);
        if (scheduled !== undefined && (await redis.zrem('schedule', scheduled)) === 1) {
          await redis.zadd('dead', Date.now() / 1000, scheduled);
          return true;
        }
        return false;
      };
      await expect.poll(killOne, { timeout: 10_000, interval: 20 }).toBe(true);
    } finally {
      redis.disconnect();
    }
    expect(await demo.exited).toBe(1);
    const output = demo.output();
    expect(output).toMatch(/2\/3 done · 0 queued · 1 dead/);
    expect(output).toMatch(/1 job died after its retries: the dashboard's Dead tab shows it/);
    expect(output).toMatch(/some counters are off/);
  }, 90_000);

  it('on a REDIS_URL where an interrupted run left jobs, the next run is still exact', async () => {
    const server = await startRedisServer();
    try {
      const redis = server.connect();
      // What Ctrl-C leaves: jobs the counter limiter sent back to the schedule, a retry, a queued job.
      const leftover = (jid: string) =>
        JSON.stringify({ class: 'IncrementCounter', args: ['1', 5], queue: 'counters', jid, created_at: 1 });
      const now = Date.now() / 1000;
      await redis.zadd('schedule', now - 1, leftover('a'.repeat(24)));
      await redis.zadd('retry', now - 1, leftover('b'.repeat(24)));
      await redis.lpush('queue:counters', leftover('c'.repeat(24)));
      // Another app's job on the same Redis is not the demo's to touch.
      const mine = JSON.stringify({
        class: 'SendEmail',
        args: [],
        queue: 'mail',
        jid: 'd'.repeat(24),
        created_at: 1,
      });
      await redis.zadd('schedule', now + 3600, mine);
      const demo = startDemo(['--counters', '1', '--increments', '5', '--decrements', '0'], server.url);
      const code = await demo.exited;
      expect(demo.output()).toMatch(/5\/5 done/);
      expect(demo.output()).toMatch(/every counter is exact/);
      expect(code, demo.output()).toBe(0);
      expect(await redis.zrange('schedule', 0, -1)).toEqual([mine]);
    } finally {
      await destroyRedisServer(server);
    }
  }, 90_000);

  it('refuses a bad flag in one line with exit 2', async () => {
    const demo = startDemo(['--fail-rate', '2']);
    expect(await demo.exited).toBe(2);
    const lines = demo.output().trim().split('\n');
    expect(lines.at(-1)).toBe('demo: --fail-rate must be a number from 0 to 0.9, not "2" (see --help)');
    expect(lines.filter((line) => line.startsWith('demo:'))).toHaveLength(1);
  });
});

describe('npm run demo -- --fail-rate 0.2', () => {
  it('against a flaky API, retries bring every counter to its exact value', async () => {
    const demo = startDemo([
      '--fail-rate',
      '0.2',
      '--counters',
      '2',
      '--increments',
      '30',
      '--decrements',
      '10',
    ]);
    const code = await demo.exited;
    expect(demo.output()).toMatch(/fail rate 0\.2/);
    expect(demo.output()).toMatch(/every counter is exact/);
    expect(code, demo.output()).toBe(0);
  }, 120_000);
});
