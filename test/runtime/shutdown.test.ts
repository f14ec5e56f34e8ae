import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { type RuntimeProcess, waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();

describe('graceful shutdown', () => {
  it('on SIGTERM, jobs that do not finish within -t go back to the front of their queue unchanged; exit 0', async () => {
    await fixture.client.pushBulk({ class: 'Probe', args: Array.from({ length: 30 }, () => ['hang']) });
    const beforeList = await fixture.redis.lrange('queue:default', 0, -1);
    const before = new Set(beforeList);
    const runtime = fixture.run(['-c', '5', '-t', '1']);
    await waitUntil('5 jobs running', () => (runtime.output().match(/INFO: start/g)?.length ?? 0) === 5);

    expect(await runtime.stop('SIGTERM')).toBe(0);
    // The five running, and those taken ahead of free slots: at least five more (-c 5), more when the first
    // fetches were slow (a loaded machine: the prefetch follows the measured round trip).
    const requeued = /WARN: requeued (\d+) unfinished job\(s\) to the front of their queues/.exec(
      runtime.output(),
    );
    expect(Number(requeued?.[1])).toBeGreaterThanOrEqual(10);
    const after = await fixture.redis.lrange('queue:default', 0, -1);
    expect(new Set(after)).toEqual(before);
    expect(after).toHaveLength(30);
    expect(await fixture.redis.keys('sidepunch:in-progress:*')).toEqual([]);
    // The five that were running are the next five to run, oldest first.
    const started = [...runtime.output().matchAll(/jid=(\w+) INFO: start/g)].map((match) => match[1]);
    const nextFive = after
      .slice(-5)
      .reverse()
      .map((raw) => JSON.parse(raw).jid);
    expect(nextFive).toEqual(started);
  });

  it('on SIGINT, jobs that finish within -t are completed, not requeued', async () => {
    await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 3 }, () => ['slow', 300, 'grace']),
    });
    const runtime = fixture.run(['-c', '3', '-t', '10']);
    await waitUntil('3 jobs running', () => (runtime.output().match(/INFO: start/g)?.length ?? 0) === 3);
    expect(await runtime.stop('SIGINT')).toBe(0);
    expect(await fixture.redis.llen('probe:done:grace')).toBe(3);
    expect(await fixture.redis.llen('queue:default')).toBe(0);
    expect(await fixture.redis.get('stat:processed')).toBe('3');
  });

  it('keeps beating while it waits for running jobs: a drain longer than the process TTL is no death, no job runs twice', async () => {
    // A TTL of several beats, so a late beat on a loaded machine is not an expiry.
    const fastBeat = ['--heartbeat', '0.4', '--process-ttl', '2'];
    const jid = await fixture.client.push({ class: 'Probe', args: ['slow', 4500, 'long-drain'] });
    const stopping = fixture.run([...fastBeat, '-t', '10']);
    const identity = await identityOf(stopping);
    await stopping.waitForLine(/INFO: start/);
    // A neighbour whose rescuer would take the running job for an orphan once the heartbeat expired, and run it.
    const neighbour = fixture.run(fastBeat);
    await identityOf(neighbour);
    stopping.child.kill('SIGTERM');
    await stopping.waitForLine(/quiet: no new jobs/);
    await waitUntil(
      'quiet in the heartbeat',
      async () => (await fixture.redis.hget(identity, 'quiet')) === 'true',
    );
    // All through the drain (about 4 s, two process TTLs): listed, its hash alive, quiet and busy with its job.
    const seen = new Set<string>();
    while (!/INFO: done/.test(stopping.output())) {
      const [listed, state] = await Promise.all([
        fixture.redis.sismember('processes', identity),
        fixture.redis.hmget(identity, 'quiet', 'busy'),
      ]);
      seen.add(`${listed} ${state.join(' ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect([...seen]).toEqual(['1 true 1']);
    expect(await stopping.exited).toBe(0);
    expect(await fixture.redis.lrange('probe:done:long-drain', 0, -1)).toEqual([jid]);
    expect(neighbour.output()).not.toMatch(/INFO: start|rescued/);
    expect(await fixture.redis.smembers('processes')).not.toContain(identity);
  });
});

async function identityOf(runtime: RuntimeProcess): Promise<string> {
  const line = await runtime.waitForLine(/identity=\S+/);
  return /identity=(\S+)/.exec(line)![1]!;
}
