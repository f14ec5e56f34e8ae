import { afterEach, describe, expect, it } from 'vitest';
import { Client, FakeClock, Queue, SidepunchApi } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
let clockedClient: Client | undefined;

afterEach(async () => {
  await clockedClient?.close();
  clockedClient = undefined;
});

/** A client and an API sharing a fake clock, so latencies are exact. */
function clocked() {
  const clock = new FakeClock(T0);
  clockedClient = new Client({ redis: fixture.server.url, clock });
  return { clock, client: clockedClient, api: new SidepunchApi({ redis: fixture.redis, clock }) };
}

describe('Queue', () => {
  it('lists the queues clients pushed to, with their sizes and latency of the oldest job', async () => {
    const { clock, client, api } = clocked();
    await client.push({ class: 'Probe', args: ['ok', 'a'], queue: 'mail' });
    clock.advance(10_000);
    await client.push({ class: 'Probe', args: ['ok', 'b'], queue: 'mail' });
    await client.push({ class: 'Probe', args: ['ok', 'c'] });
    clock.advance(5_000);

    expect((await api.queues()).map((queue) => queue.name)).toEqual(['default', 'mail']);
    const mail = api.queue('mail');
    expect(await mail.size()).toBe(2);
    expect(await mail.latency()).toBeCloseTo(15, 6);
    expect(await api.queue('default').latency()).toBeCloseTo(5, 6);
    expect(await api.queue('nothing-here').latency()).toBe(0);
    expect((await Queue.all(api.connection)).map((queue) => queue.name)).toEqual(['default', 'mail']);
  });

  it('iterates jobs newest first, each with its fields and the exact stored string', async () => {
    const { clock, client, api } = clocked();
    const first = await client.push({ class: 'Probe', args: ['ok', 1], queue: 'q' });
    clock.advance(1_000);
    const second = await client.push({ class: 'Probe', args: ['ok', 2], queue: 'q', tags: ['x'] });
    const stored = await fixture.redis.lrange('queue:q', 0, -1);

    const jobs = [];
    for await (const job of api.queue('q')) jobs.push(job);
    expect(jobs.map((job) => job.jid)).toEqual([second, first]);
    expect(jobs.map((job) => job.value)).toEqual(stored);
    const [newest] = jobs;
    expect(newest).toMatchObject({
      jid: second,
      klass: 'Probe',
      displayClass: 'Probe',
      queue: 'q',
      isJob: true,
    });
    expect(newest!.args).toEqual(['ok', 2]);
    expect(newest!.tags).toEqual(['x']);
    expect(newest!.enqueuedAt).toEqual(new Date(T0 + 1_000));
    expect(newest!.createdAt).toEqual(new Date(T0 + 1_000));
    expect(newest!.retryCount).toBeUndefined();
    expect(newest!.latency(T0 + 3_000)).toBeCloseTo(2, 6);
    expect(newest!.get('retry')).toBe(true);
  });

  it('finds a job by jid and deletes exactly that job; a deleted job never runs', async () => {
    const api = new SidepunchApi({ redis: fixture.redis });
    const jids = await fixture.client.pushBulk({
      class: 'Probe',
      args: [
        ['ok', 'kept'],
        ['ok', 'gone'],
        ['ok', 'kept'],
      ],
    });
    const queue = api.queue();
    const doomed = await queue.findJob(jids[1]!);
    expect(doomed?.args).toEqual(['ok', 'gone']);
    expect(await queue.findJob('0123456789abcdef01234567')).toBeUndefined();
    expect(await doomed!.delete()).toBe(true);
    expect(await doomed!.delete()).toBe(false);
    expect(await queue.size()).toBe(2);

    fixture.run(['--heartbeat', '0.2', '--process-ttl', '1']);
    await waitUntil('both kept jobs ran', async () => (await fixture.redis.llen('probe:done:kept')) === 2);
    expect(await fixture.redis.lrange('probe:done:kept', 0, -1)).toEqual(
      expect.arrayContaining([jids[0], jids[2]]),
    );
    expect(await fixture.redis.llen('probe:done:gone')).toBe(0);
    expect(await queue.size()).toBe(0);
  });

  it('deleting while iterating skips nothing', async () => {
    const api = new SidepunchApi({ redis: fixture.redis });
    const args = Array.from({ length: 120 }, (_, i) => ['ok', i]);
    await fixture.client.pushBulk({ class: 'Probe', args });
    const seen: unknown[] = [];
    for await (const job of api.queue().jobs({ pageSize: 25 })) {
      seen.push(job.args[1]);
      if ((job.args[1] as number) % 2 === 0) await job.delete();
    }
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
    expect(await api.queue().size()).toBe(60);
  });

  it('clear removes the queue and its registration', async () => {
    const api = new SidepunchApi({ redis: fixture.redis });
    await fixture.client.pushBulk({ class: 'Probe', args: [['ok'], ['ok']], queue: 'bulk' });
    await api.queue('bulk').clear();
    expect(await api.queue('bulk').size()).toBe(0);
    expect(await api.queues()).toEqual([]);
  });

  it('a payload that is not JSON is listed as its own argument, and can be deleted', async () => {
    const api = new SidepunchApi({ redis: fixture.redis });
    await fixture.redis.lpush('queue:default', 'not json');
    const [job] = await api.queue().page(0, 10);
    expect(job).toMatchObject({
      isJob: false,
      jid: undefined,
      klass: undefined,
      queue: 'default',
      value: 'not json',
    });
    expect(job!.args).toEqual(['not json']);
    expect(await job!.delete()).toBe(true);
  });

  it('opens its own connection from a URL, and closes it', async () => {
    const api = new SidepunchApi({ redis: fixture.server.url });
    await fixture.client.push({ class: 'Probe', args: ['ok'] });
    expect(await api.queue().size()).toBe(1);
    await api.close();
    await expect(api.queue().size()).rejects.toThrow();
  });
});
