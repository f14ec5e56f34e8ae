/**
 * Sidekiq's Web UI (fixtures/interop/web.rb: `Sidekiq::Web` behind a cookie session, driven by Rack::MockRequest)
 * renders every page from Sidepunch's data, without an error: dashboard, stats, busy with a Sidepunch job running,
 * queues, a queue, retries and a retry's details (with Sidepunch's compressed backtrace), scheduled, dead; and its
 * buttons (Retry Now, Add to Queue, Kill, Delete, with the session's CSRF token) act on Sidepunch's jobs.
 */
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';
import { useInteropApp } from './support/interop-app.js';
import { performedJobs } from './support/performed.js';
import { describeEachSidekiq, runRuby } from './support/ruby-sidekiq.js';

type Pages = Record<string, { status: number; body: string }>;

/** What a page shows when Ruby failed to render part of it. */
const BROKEN =
  /NoMethodError|TypeError|ArgumentError|undefined method|Internal Server Error|Invalid job payload/;

describe("Sidekiq's Web UI on Sidepunch's data", () => {
  const fixture = useRedis();
  const app = useInteropApp('web-ui');

  describeEachSidekiq('Sidekiq::Web', (sidekiq) => {
    it('renders every page with Sidepunch’s processes, jobs, retries, schedule and dead set', async () => {
      const runtime = fixture.run(['--heartbeat', '1', '-q', 'default', '--tag', 'webui', '-c', '4'], {
        registry: app.registry,
      });
      const { client, redis } = fixture;
      const held = (await client.push({ class: 'InteropHold', args: ['web'] }))!;
      const flaky = (await client.push({
        class: 'InteropFlaky',
        args: ['flaky went wrong'],
        backtrace: true,
      }))!;
      const doomed = (await client.push({ class: 'InteropDoomed', args: ['doomed went wrong'], retry: 0 }))!;
      const scheduled = (await client.push({ class: 'InteropEcho', args: ['in an hour'], in: 3600 }))!;
      const waiting = (await client.push({
        class: 'InteropEcho',
        args: ['waiting here'],
        queue: 'waiting',
      }))!;
      await waitUntil(
        'a retry, a dead job and a busy heartbeat',
        async () =>
          (await redis.zcard('retry')) === 1 &&
          (await redis.zcard('dead')) === 1 &&
          (await redis.hget((await redis.smembers('processes'))[0] ?? 'none', 'busy')) === '1',
      );
      const [identity] = await redis.smembers('processes');
      const hostAndPid = identity!.split(':').slice(0, 2).join(':');

      const pages = await runRuby<Pages>('web.rb', fixture.server.url, [], sidekiq);
      await redis.set('interop:release:web', '1');
      expect(await runtime.stop('SIGTERM')).toBe(0);

      const retryDetail = Object.keys(pages).find((path) => path.startsWith('/retries/'));
      const scheduledDetail = Object.keys(pages).find((path) => path.startsWith('/scheduled/'));
      const deadDetail = Object.keys(pages).find((path) => path.startsWith('/morgue/'));
      expect(retryDetail).toMatch(new RegExp(`^/retries/[\\d.]+-${flaky}$`));
      expect(scheduledDetail).toMatch(new RegExp(`^/scheduled/[\\d.]+-${scheduled}$`));
      expect(deadDetail).toMatch(new RegExp(`^/morgue/[\\d.]+-${doomed}$`));

      const expected: Record<string, (string | RegExp)[]> = {
        '/': ['Dashboard', 'Processed', 'id="redis_version"'],
        '/stats': ['"processed":', '"busy":1', '"processes":1', '"retries":1', '"scheduled":1', '"dead":1'],
        '/busy': [hostAndPid, 'webui', 'sidepunch', 'InteropHold', held, 'default'],
        '/queues': ['/queues/waiting', '/queues/default'],
        '/queues/waiting': ['InteropEcho', waiting, 'waiting here'],
        '/queues/default': [],
        '/retries': ['InteropFlaky', 'InteropError: flaky went wrong'],
        [retryDetail!]: [
          flaky,
          'InteropFlaky',
          'InteropError',
          'flaky went wrong',
          'InteropFlaky.perform (',
          'registry.js:',
        ],
        '/scheduled': ['InteropEcho', 'in an hour'],
        [scheduledDetail!]: [scheduled, 'in an hour'],
        '/morgue': ['InteropDoomed', 'doomed went wrong'],
        [deadDetail!]: [doomed, 'InteropDoomed', 'doomed went wrong'],
        // 7.x's Metrics tab lists the classes Sidepunch ran (InteropHold is still running).
        ...(sidekiq.major >= 7 && { '/metrics': ['InteropFlaky', 'InteropDoomed'] }),
      };
      expect(Object.keys(pages).sort()).toEqual(Object.keys(expected).sort());
      for (const [path, { status, body }] of Object.entries(pages)) {
        expect({ path, status }).toEqual({ path, status: 200 });
        expect(body, path).not.toMatch(BROKEN);
        for (const text of expected[path]!) expect(body, `${path} shows ${text}`).toContain(text);
      }
    });

    it('its buttons act on Sidepunch’s jobs: retry now, add to queue, kill, retry from the dead set, delete', async () => {
      const runtime = fixture.run(['--poll-interval', '1'], { registry: app.registry });
      const { client, redis } = fixture;
      const press = (set: string, jid: string, button: string) =>
        runRuby<{ status: number; location: string }>(
          'web.rb',
          fixture.server.url,
          ['post', set, jid, button],
          sidekiq,
        );
      const retried = (await client.push({ class: 'InteropFlaky', args: ['retry now'] }))!;
      const toKill = (await client.push({ class: 'InteropFlaky', args: ['kill me', 3] }))!;
      const fromDead = (await client.push({
        class: 'InteropFlaky',
        args: ['back from the dead'],
        retry: 0,
      }))!;
      const scheduled = (await client.push({ class: 'InteropEcho', args: ['add to queue'], in: 3600 }))!;
      const deleted = (await client.push({ class: 'InteropEcho', args: ['delete me'], in: 3600 }))!;
      await waitUntil(
        'two retries and a dead job',
        async () => (await redis.zcard('retry')) === 2 && (await redis.zcard('dead')) === 1,
      );

      expect(await press('retries', retried, 'retry')).toMatchObject({
        status: 302,
        location: expect.stringMatching(/\/retries$/),
      });
      expect(await press('retries', toKill, 'kill')).toMatchObject({ status: 302 });
      expect(await press('morgue', fromDead, 'retry')).toMatchObject({
        status: 302,
        location: expect.stringMatching(/\/morgue$/),
      });
      expect(await press('scheduled', scheduled, 'add_to_queue')).toMatchObject({ status: 302 });
      expect(await press('scheduled', deleted, 'delete')).toMatchObject({ status: 302 });

      await waitUntil(
        'Sidepunch performed the three jobs',
        async () => (await redis.hlen('interop:performed')) === 3,
      );
      const performed = await performedJobs(redis);
      expect(performed).toEqual({
        [retried]: { by: 'sidepunch', args: ['retry now'] },
        [fromDead]: { by: 'sidepunch', args: ['back from the dead'] },
        [scheduled]: { by: 'sidepunch', args: ['add to queue'] },
      });
      const [killed] = await redis.zrange('dead', 0, -1);
      expect(JSON.parse(killed!)).toMatchObject({ jid: toKill, error_message: 'kill me', retry_count: 0 });
      expect(await redis.zcard('dead')).toBe(1);
      expect(await redis.zcard('retry')).toBe(0);
      expect(await redis.zcard('schedule')).toBe(0);
      expect(await runtime.stop('SIGTERM')).toBe(0);
    });
  });
});
