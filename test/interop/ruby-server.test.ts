/**
 * A real Ruby `sidekiq` process (fixtures/interop/workers.rb) beside Sidepunch:
 *  - TypeScript → Ruby: jobs enqueued through the stubs sidepunch-gen generated (now, in, at, bulk) are performed
 *    by Ruby with exactly the arguments given;
 *  - side by side: Ruby Sidekiq and sidepunch-run consume one queue of 10,000 jobs, and every job is performed
 *    exactly once.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { type RuntimeProcess, waitUntil } from '../support/runtime-process.js';
import { buildInteropApp, type InteropApp } from './support/interop-app.js';
import { performedArgs } from './support/performed.js';
import { interopTitle, rubySidekiq, startSidekiq } from './support/ruby-sidekiq.js';

describe.skipIf(rubySidekiq.missing !== undefined)(interopTitle('a real Ruby sidekiq process'), () => {
  const fixture = useRedis();
  let app: InteropApp;
  let sidekiq: RuntimeProcess;

  beforeAll(async () => {
    app = await buildInteropApp('ruby-server');
    sidekiq = startSidekiq(fixture.server.url, ['-q', 'default', '-q', 'shared', '-c', '10']);
    await sidekiq.waitForLine(/Booting Sidekiq/);
  });
  afterAll(async () => {
    expect(await sidekiq?.stop('SIGTERM')).toBe(0);
  });

  it('performs jobs enqueued through the generated stubs (now, in, at, bulk) with exactly their arguments', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [app.enqueueScript], {
      env: { ...process.env, REDIS_URL: fixture.server.url },
    });
    const enqueued = JSON.parse(stdout) as Record<string, unknown[]>;
    expect(Object.keys(enqueued)).toHaveLength(7);

    await waitUntil(
      'Ruby performed every job, the scheduled ones too',
      async () => (await fixture.redis.hlen('interop:performed')) === 7,
      20_000,
    );
    expect(await performedArgs(fixture.redis, 'ruby')).toEqual(enqueued);
    expect(await fixture.redis.zcard('retry')).toBe(0);
  });

  it('shares a queue of 10,000 jobs with sidepunch-run: each job performed exactly once, by one side or the other', async () => {
    const runtime = fixture.run(['-c', '10', '-q', 'shared'], app.registry);
    await waitUntil('sidepunch-run fetching', async () =>
      (await fixture.redis.smembers('processes')).some((identity) =>
        identity.includes(`:${runtime.child.pid}:`),
      ),
    );
    const jobs = 10_000;
    const jids = await fixture.client.pushBulk({
      class: 'InteropShared',
      queue: 'shared',
      args: Array.from({ length: jobs }, (_, i) => [i]),
    });

    await waitUntil(
      'all 10,000 jobs performed',
      async () => (await fixture.redis.hlen('interop:shared:runs')) === jobs,
      45_000,
      100,
    );
    expect(await runtime.stop('SIGTERM')).toBe(0);

    const runs = await fixture.redis.hgetall('interop:shared:runs');
    expect(Object.keys(runs).sort()).toEqual([...jids].sort());
    expect(Object.entries(runs).filter(([, count]) => count !== '1')).toEqual([]);
    const by = await fixture.redis.hgetall('interop:shared:by');
    expect(Number(by.ruby) + Number(by.sidepunch)).toBe(jobs);
    expect(Number(by.ruby)).toBeGreaterThan(0);
    expect(Number(by.sidepunch)).toBeGreaterThan(0);
    expect(await fixture.redis.llen('queue:shared')).toBe(0);
    console.log(`side by side: Ruby Sidekiq performed ${by.ruby}, sidepunch-run ${by.sidepunch} of ${jobs}`);
  });
});
