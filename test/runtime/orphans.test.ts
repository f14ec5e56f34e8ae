/**
 * A worker whose parent dies without passing a signal on stops gracefully by itself instead of working on as an
 * orphan: a `--processes` child whose supervisor was SIGKILLed.
 */
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { isAlive, waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();
const FAST = ['--heartbeat', '0.25', '--process-ttl', '1'];

describe('a --processes supervisor killed with SIGKILL', () => {
  it('its children notice, stop gracefully within seconds, leave the process set and give their jobs back', async () => {
    await fixture.client.pushBulk({ class: 'Probe', args: Array.from({ length: 4 }, () => ['hang']) });
    const payloads = await fixture.redis.lrange('queue:default', 0, -1);
    const runtime = fixture.run([...FAST, '--processes', '2', '-c', '2', '-t', '1']);
    await waitUntil('two children registered', async () => (await fixture.redis.scard('processes')) === 2);
    // Each child runs two and may buffer two more: all four are taken, at least two run.
    await waitUntil('every job taken', async () => (await fixture.redis.llen('queue:default')) === 0);
    await waitUntil('jobs running', () => (runtime.output().match(/INFO: start/g)?.length ?? 0) >= 2);
    const children = (await fixture.redis.smembers('processes')).map((identity) =>
      Number(identity.split(':')[1]),
    );
    try {
      runtime.child.kill('SIGKILL');
      const killedAt = performance.now();
      await waitUntil('both children exited', () => !children.some(isAlive), 15_000);
      console.log(
        `supervisor SIGKILLed: children exited ${((performance.now() - killedAt) / 1000).toFixed(1)} s later`,
      );
      expect(await fixture.redis.scard('processes')).toBe(0);
      expect((await fixture.redis.lrange('queue:default', 0, -1)).sort()).toEqual([...payloads].sort());
      expect(await fixture.redis.keys('sidepunch:in-progress:*')).toEqual([]);
      const requeued = [...runtime.output().matchAll(/requeued (\d+) unfinished job\(s\)/g)];
      // At least the four: a job one child gave back as it went quiet may be taken by the other, still fetching,
      // and given back again by it.
      expect(requeued.reduce((sum, match) => sum + Number(match[1]), 0)).toBeGreaterThanOrEqual(4);
    } finally {
      for (const pid of children.filter(isAlive)) process.kill(pid, 'SIGKILL');
    }
  });
});
