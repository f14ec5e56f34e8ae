/**
 * The proofs issue #22 asks for, on real `sidepunch-run` processes, printing their figures:
 *  - four processes at -c 20, 2,000 jobs under a concurrency limit of 5: the jobs record the peak of those running
 *    at once (INCR/DECR): 5, never more, and all 2,000 done;
 *  - a window limit of 100 a second over 5 s of backlog: no second holds more than 100 starts;
 *  - a process killed -9 while it holds leases: they lapse after their lease time, and the jobs behind them run.
 */
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT, waitUntil } from '../support/runtime-process.js';

const REGISTRY = `${REPO_ROOT}fixtures/registries/limited.mjs`;
const FAST_POLL = ['--poll-interval', '0.2'];
const fixture = useRedis();

describe('limits across a fleet of real processes', () => {
  it('four processes at -c 20, 2,000 jobs under a concurrency limit of 5: peak exactly 5, all done', async () => {
    const processes = [1, 2, 3, 4].map(() => fixture.run(['-c', '20', ...FAST_POLL], { registry: REGISTRY }));
    await Promise.all(processes.map((process) => process.waitForLine(/starting/)));
    const started = Date.now();
    await fixture.client.pushBulk({
      class: 'Concurrent5',
      args: Array.from({ length: 2000 }, () => ['track', 5, 'limited']),
    });
    await waitUntil(
      '2,000 jobs done',
      async () => (await fixture.redis.llen('probe:done:limited')) === 2000,
      25_000,
    );
    const seconds = (Date.now() - started) / 1000;
    const peak = Number(await fixture.redis.get('probe:maxinflight'));
    const reschedules = Number(await fixture.redis.hget('sidepunch:limiter-reschedules', 'Concurrent5'));
    console.log(
      `concurrency limit 5, 4 processes × 20: 2,000 done in ${seconds.toFixed(1)} s, peak running at once ${peak}, ` +
        `${reschedules} reschedules`,
    );
    expect(peak).toBe(5);
    expect(await fixture.redis.zcard('sidepunch:limiter:concurrent:Concurrent5')).toBe(0);
  }, 60_000);

  it('a window limit of 100 a second over 5 s of backlog: no second holds more than 100 starts', async () => {
    const processes = [1, 2].map(() => fixture.run(['-c', '20', ...FAST_POLL], { registry: REGISTRY }));
    await Promise.all(processes.map((process) => process.waitForLine(/starting/)));
    await fixture.client.pushBulk({ class: 'Window100', args: Array.from({ length: 500 }, () => []) });
    const total = async () =>
      Object.values(await fixture.redis.hgetall('probe:window:starts')).reduce(
        (sum, n) => sum + Number(n),
        0,
      );
    // The limiter's own count per window: each counter outlives its window by one, read while it does.
    const admitted = new Map<string, number>();
    const readWindows = async () => {
      const keys = await fixture.redis.keys('sidepunch:limiter:window:Window100:*');
      for (const key of keys) {
        const count = Number((await fixture.redis.get(key)) ?? 0);
        admitted.set(key, Math.max(count, admitted.get(key) ?? 0));
      }
    };
    await waitUntil(
      '500 starts',
      async () => {
        await readWindows();
        return (await total()) === 500;
      },
      25_000,
    );
    await readWindows();
    const perWindow = [...admitted].sort(([a], [b]) => a.localeCompare(b)).map(([, n]) => n);
    // As the jobs saw it: the second each perform began (a start admitted in a window's last milliseconds may
    // begin in the next second).
    const perSecond = Object.entries(await fixture.redis.hgetall('probe:window:starts'))
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, n]) => Number(n));
    console.log(
      `window limit 100/s, 500 jobs: starts admitted per 1 s window ${perWindow.join(', ')}; ` +
        `performs begun per clock second ${perSecond.join(', ')}`,
    );
    expect(perWindow.reduce((sum, n) => sum + n, 0)).toBe(500);
    expect(Math.max(...perWindow)).toBeLessThanOrEqual(100);
  }, 60_000);

  it('a process killed -9 while holding leases: the leases lapse after their 2 s, and the jobs behind them run', async () => {
    const holder = fixture.run(['-c', '5', ...FAST_POLL], { registry: REGISTRY });
    await holder.waitForLine(/starting/);
    await fixture.client.pushBulk({ class: 'Leased2', args: [['hang'], ['hang']] });
    const leases = 'sidepunch:limiter:concurrent:Leased2';
    await waitUntil('two leases held', async () => (await fixture.redis.zcard(leases)) === 2, 10_000);
    await holder.stop('SIGKILL');
    const killedAt = Date.now();
    // The survivor rescues the killed process's jobs at once (same host) and would run them again: those two would
    // hang holding both slots, as running jobs rightly do. It works another queue, so only the leases are tested.
    const survivor = fixture.run(['-c', '5', '-q', 'after', ...FAST_POLL], { registry: REGISTRY });
    await survivor.waitForLine(/starting/);
    await fixture.client.pushBulk({
      class: 'Leased2',
      queue: 'after',
      args: [
        ['ok', 'after'],
        ['ok', 'after'],
        ['ok', 'after'],
      ],
    });
    await waitUntil(
      'the jobs behind the leases ran',
      async () => (await fixture.redis.llen('probe:done:after')) === 3,
      15_000,
    );
    const seconds = (Date.now() - killedAt) / 1000;
    console.log(
      `leases of a process killed -9 lapsed: the 3 jobs behind them done ${seconds.toFixed(1)} s after the kill (lease 2 s)`,
    );
    expect(seconds).toBeGreaterThan(0);
  }, 60_000);
});
