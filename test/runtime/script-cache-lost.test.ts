/**
 * Redis can lose its script cache under a running process: SCRIPT FLUSH, a replica promoted (scripts are not
 * replicated), eviction of scripts loaded by EVAL (Redis 7.4+). Inside a MULTI a script it no longer has fails with
 * NOSCRIPT at EXEC, after the transaction's other commands ran, and ioredis does not reload it there. CI saw a
 * cluster failover leave a runtime retrying one batch of acknowledgements forever ("NOSCRIPT No matching script"
 * every 500 ms), its counters short and its jobs in the in-progress list.
 */
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();

describe('a script cache Redis lost under a running process', () => {
  it('is loaded again: every outcome written once, the in-progress list empty', async () => {
    const runtime = fixture.run(['-c', '10']);
    const first = await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 500 }, () => ['ok', 'flushed']),
    });
    await waitUntil(
      'the first jobs counted',
      async () => Number(await fixture.redis.get('stat:processed')) >= 500,
    );

    await fixture.redis.script('FLUSH');
    const second = await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 2000 }, () => ['ok', 'flushed']),
    });
    const total = first.length + second.length;
    await waitUntil(
      'every job performed',
      async () => (await fixture.redis.llen('probe:done:flushed')) >= total,
    );
    await waitUntil(
      'every outcome written',
      async () =>
        (await fixture.inProgressTotal()) === 0 && Number(await fixture.redis.get('stat:processed')) >= total,
      10_000,
    );
    // Written once: the counters' share of a transaction that failed on its script is not counted again.
    expect(Number(await fixture.redis.get('stat:processed'))).toBe(total);
    expect(runtime.output()).not.toMatch(/NOSCRIPT/);
  });
});
