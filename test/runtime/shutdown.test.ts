import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

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
});
