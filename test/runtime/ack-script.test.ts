/**
 * ack.lua removes finished jobs from an in-progress list with a few commands per batch instead of one LREM per job,
 * and must leave exactly what one LREM per payload (from the oldest end) would: the same entries, in the same order.
 */
import { describe, expect, it } from 'vitest';
import { withScripts } from '../../runtime/redis/scripts.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
const KEY = 'queue:default:inprogress-test';

/** What LREM key -1 payload, once per payload, leaves; the list is newest first, as Redis holds it. */
function lremModel(
  list: readonly string[],
  payloads: readonly string[],
): { left: string[]; removed: number } {
  const left = [...list];
  let removed = 0;
  for (const payload of payloads) {
    const at = left.lastIndexOf(payload);
    if (at >= 0) {
      left.splice(at, 1);
      removed++;
    }
  }
  return { left, removed };
}

async function ack(list: readonly string[], payloads: readonly string[]) {
  const redis = withScripts(fixture.server.connect());
  try {
    await redis.del(KEY);
    if (list.length > 0) await redis.rpush(KEY, ...list);
    const removed = await redis.sidepunchAck(KEY, ...payloads);
    return { left: await redis.lrange(KEY, 0, -1), removed };
  } finally {
    redis.disconnect();
  }
}

async function lremCalls(): Promise<number> {
  const stats = await fixture.redis.info('commandstats');
  return Number(/cmdstat_lrem:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

const job = (n: number) =>
  JSON.stringify({ class: 'NoOp', args: ['string', n, { mike: 'bob' }], jid: `j${n}` });

describe('acknowledging a batch of finished jobs', () => {
  it('removes jobs that finished in fetch order with no LREM at all', async () => {
    const list = Array.from({ length: 300 }, (_, i) => job(300 - i)); // job 1 fetched first: the right end
    const finished = Array.from({ length: 250 }, (_, i) => job(i + 1));
    await fixture.redis.config('RESETSTAT');
    const result = await ack(list, finished);
    expect(result).toEqual(lremModel(list, finished));
    expect(result.left).toHaveLength(50);
    expect(await lremCalls()).toBe(0);
  });

  it('keeps an older job that is still running, and the order of everything kept', async () => {
    const list = Array.from({ length: 100 }, (_, i) => job(100 - i));
    const finished = Array.from({ length: 60 }, (_, i) => job(i + 2)).filter(
      (payload) => payload !== job(30),
    );
    const result = await ack(list, finished);
    expect(result).toEqual(lremModel(list, finished));
    expect(result.left.at(-1)).toBe(job(1));
    expect(result.left).toContain(job(30));
  });

  it('removes one of two identical payloads for one acknowledgement, and both for two', async () => {
    const list = [job(3), job(2), job(1), job(2)];
    expect(await ack(list, [job(2)])).toEqual(lremModel(list, [job(2)]));
    expect(await ack(list, [job(2), job(2)])).toEqual(lremModel(list, [job(2), job(2)]));
  });

  it('finds a payload far from the oldest end, and counts only what was there', async () => {
    const list = Array.from({ length: 500 }, (_, i) => job(500 - i));
    const finished = [job(500), job(1), job(2), job(9999)];
    const result = await ack(list, finished);
    expect(result).toEqual(lremModel(list, finished));
    expect(result.removed).toBe(3);
  });

  it('takes payloads that are not UTF-8 byte for byte', async () => {
    const redis = withScripts(fixture.server.connect());
    try {
      const odd = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
      await redis.del(KEY);
      await redis.rpush(KEY, job(2), odd, job(1));
      expect(await redis.sidepunchAck(KEY, odd, job(1))).toBe(2);
      expect(await redis.lrange(KEY, 0, -1)).toEqual([job(2)]);
    } finally {
      redis.disconnect();
    }
  });

  it('leaves what one LREM per payload leaves, over many random lists and batches', async () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 150; round++) {
      const length = random(120);
      const list = Array.from({ length }, () => job(random(length + 5))); // some duplicates
      const finished = Array.from({ length: random(80) }, () =>
        random(4) === 0
          ? job(random(length + 10))
          : (list[length - 1 - random(Math.max(length, 1))] ?? job(0)),
      );
      expect(await ack(list, finished)).toEqual(lremModel(list, finished));
    }
  });
});
