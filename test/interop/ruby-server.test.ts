/**
 * A real Ruby `sidekiq` process (fixtures/interop/workers.rb) beside Sidepunch:
 *  - TypeScript → Ruby: jobs enqueued through the stubs sidepunch-gen generated (now, in, at, bulk) are performed
 *    by Ruby with exactly the arguments given;
 *  - side by side: Ruby Sidekiq and sidepunch-run consume one queue of 10,000 jobs, and every job is performed
 *    exactly once;
 *  - a job failing on one side is retried on the other, each reading the other's retry fields; a class only Ruby
 *    has is retried by Sidepunch (as Sidekiq retries a NameError), and Ruby performs it.
 * `retry_queue` sends a retry to the queue the other side works.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { type RuntimeProcess, waitUntil } from '../support/runtime-process.js';
import { useInteropApp } from './support/interop-app.js';
import { performedArgs, performedJobs } from './support/performed.js';
import { describeEachSidekiq, SIDEKIQ_STARTED, startSidekiq } from './support/ruby-sidekiq.js';

describe('a real Ruby sidekiq process', () => {
  const fixture = useRedis();
  const app = useInteropApp('ruby-server');

  describeEachSidekiq('beside sidepunch-run', (generation) => {
    let sidekiq: RuntimeProcess;

    beforeAll(async () => {
      sidekiq = startSidekiq(fixture.server.url, ['-q', 'default', '-q', 'shared', '-c', '10'], generation);
      await sidekiq.waitForLine(SIDEKIQ_STARTED);
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
      const runtime = fixture.run(['-c', '10', '-q', 'shared'], { registry: app.registry });
      await waitUntil('sidepunch-run fetching', async () =>
        (await fixture.redis.smembers('processes')).some((identity) =>
          identity.includes(`:${runtime.child.pid}:`),
        ),
      );
      const jobs = 10_000;
      const jids = (await fixture.client.pushBulk({
        class: 'InteropShared',
        queue: 'shared',
        args: Array.from({ length: jobs }, (_, i) => [i]),
      })) as string[];

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
      console.log(
        `side by side: Ruby Sidekiq ${generation.name} performed ${by.ruby}, sidepunch-run ${by.sidepunch} of ${jobs}`,
      );
    });

    /** The retry set's entry for `jid`, once `ready` holds for it. */
    async function retryEntry(jid: string, ready: (job: Record<string, any>) => boolean) {
      let found: { member: string; job: Record<string, any> } | undefined;
      await waitUntil(`a retry of ${jid}`, async () => {
        for (const member of await fixture.redis.zrange('retry', 0, -1)) {
          const job = JSON.parse(member) as Record<string, any>;
          if (job.jid === jid && ready(job)) found = { member, job };
        }
        return found !== undefined;
      });
      // Due now, instead of in Sidekiq's 15 s or more: whichever poller comes first enqueues it.
      await fixture.redis.zadd('retry', 'XX', Date.now() / 1000 - 1, found!.member);
      return found!.job;
    }

    it('retries across sides: a failure in Sidepunch is retried by Ruby, a failure in Ruby by Sidepunch', async () => {
      const runtime = fixture.run(['-q', 'ts-only', '--poll-interval', '1'], { registry: app.registry });
      const fromSidepunch = (await fixture.client.push({
        class: 'InteropFlaky',
        args: ['fails in Sidepunch, then in Ruby', 2],
        queue: 'ts-only',
        retry_queue: 'default',
      }))!;
      const fromRuby = (await fixture.client.push({
        class: 'InteropFlaky',
        args: ['fails in Ruby, then in Sidepunch', 2],
        retry_queue: 'ts-only',
      }))!;

      const firstFailures = {
        [fromSidepunch]: await retryEntry(fromSidepunch, (job) => job.retry_count === 0),
        [fromRuby]: await retryEntry(fromRuby, (job) => job.retry_count === 0),
      };
      for (const [jid, job] of Object.entries(firstFailures)) {
        const second = await retryEntry(jid, (job) => job.retry_count === 1);
        // The second side read the first side's fields: the count went on, the first failure's time stayed.
        expect(second).toMatchObject({ failed_at: job.failed_at, error_class: 'InteropError' });
        expect(second.retried_at).toBeGreaterThanOrEqual(job.failed_at);
      }
      expect(firstFailures[fromSidepunch]!.queue).toBe('default');
      expect(firstFailures[fromRuby]!.queue).toBe('ts-only');

      await waitUntil('both performed', async () => (await fixture.redis.hlen('interop:performed')) === 2);
      expect(await performedJobs(fixture.redis)).toEqual({
        [fromSidepunch]: { by: 'ruby', args: ['fails in Sidepunch, then in Ruby', 2] },
        [fromRuby]: { by: 'sidepunch', args: ['fails in Ruby, then in Sidepunch', 2] },
      });
      expect(await runtime.stop('SIGTERM')).toBe(0);
    });

    it('retries a class only Ruby has, as Sidekiq retries a NameError, and Ruby performs it', async () => {
      const runtime = fixture.run(['-q', 'ts-only', '--poll-interval', '1'], { registry: app.registry });
      const jid = (await fixture.client.push({
        class: 'InteropRubyOnly',
        args: ['deployed to Ruby first', { n: 1 }],
        queue: 'ts-only',
        retry_queue: 'default',
      }))!;
      const failed = await retryEntry(jid, (job) => job.retry_count === 0);
      expect(failed).toMatchObject({
        error_class: 'UnknownWorkerError',
        error_message: expect.stringContaining('no worker class "InteropRubyOnly"'),
      });

      await waitUntil(
        'Ruby performed it',
        async () => (await performedJobs(fixture.redis))[jid] !== undefined,
      );
      expect((await performedJobs(fixture.redis))[jid]).toEqual({
        by: 'ruby',
        args: ['deployed to Ruby first', { n: 1 }],
      });
      expect(await fixture.redis.zcard('dead')).toBe(0);
      expect(await runtime.stop('SIGTERM')).toBe(0);
    });
  });
});
