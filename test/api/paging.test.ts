import { describe, expect, it } from 'vitest';
import { SidepunchApi } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
const COUNT = 50_000;

/** Calls of one command since the last CONFIG RESETSTAT, from the server's own statistics. */
async function calls(command: string): Promise<number> {
  const info = await fixture.redis.info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

describe('lazy iteration', () => {
  it('walks a queue of 50,000 jobs in LRANGE windows of the page size, never the whole list at once', async () => {
    const jids = await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: COUNT }, (_, i) => ['ok', i]),
    });
    const api = new SidepunchApi({ redis: fixture.redis });
    await fixture.redis.config('RESETSTAT');

    const iterator = api.queue().jobs({ pageSize: 1000 });
    const first = await iterator.next();
    expect(first.value?.jid).toBe(jids[COUNT - 1]); // the newest
    expect(await calls('lrange')).toBe(1);

    const seen = new Set<string>([first.value!.jid!]);
    for await (const job of iterator) seen.add(job.jid!);
    expect(seen.size).toBe(COUNT);
    expect(await calls('lrange')).toBe(COUNT / 1000 + 1); // the last window comes back empty
  });

  it('walks a schedule of 50,000 jobs in ZRANGE windows', async () => {
    await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: COUNT }, (_, i) => ['ok', i]),
      in: 3600,
    });
    const api = new SidepunchApi({ redis: fixture.redis });
    await fixture.redis.config('RESETSTAT');

    let seen = 0;
    for await (const entry of api.scheduled.entries({ pageSize: 2000 })) {
      if (seen === 0) expect(await calls('zrange')).toBe(1);
      seen += entry.isJob ? 1 : 0;
    }
    expect(seen).toBe(COUNT);
    expect(await calls('zrange')).toBe(COUNT / 2000 + 1); // the last window comes back empty
  });

  it('rejects a page size that is not a whole number', async () => {
    const api = new SidepunchApi({ redis: fixture.redis });
    await expect(api.queue().jobs({ pageSize: 0 }).next()).rejects.toThrow(
      'pageSize must be a whole number ≥ 1, not 0',
    );
  });
});
