import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Client, FakeClock, SidepunchApi, type WorkerOptions } from '../../runtime/index.js';
import { freePort } from '../../scripts/redis-server.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();

/** Captures the commands Redis receives while `action` runs. */
async function monitor(action: () => Promise<unknown>): Promise<string[][]> {
  const monitor = await fixture.server.connect().monitor();
  const commands: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[]) => {
    commands.push(args);
  });
  await action();
  await fixture.redis.ping('end-of-capture');
  await new Promise<void>((resolve) => {
    const check = () =>
      commands.some((args) => args[1] === 'end-of-capture') ? resolve() : setTimeout(check, 5);
    check();
  });
  monitor.disconnect();
  return commands.filter((args) => !['ping', 'info', 'client', 'select'].includes(args[0]!.toLowerCase()));
}

describe('the client saves jobs as Sidekiq does', () => {
  it('writes the payload fields, in Sidekiq order, with Sidekiq types', async () => {
    const clock = new FakeClock(1795844502000);
    const client = new Client({ redis: fixture.server.url, clock });
    const jid = await client.push({ class: 'HardWorker', args: [1, 'two', { three: 3 }, null, true] });
    await client.close();

    const [raw] = await fixture.redis.lrange('queue:default', 0, -1);
    expect(raw).toBe(
      `{"retry":true,"queue":"default","args":[1,"two",{"three":3},null,true],"class":"HardWorker","jid":"${jid}",` +
        '"created_at":1795844502.0,"enqueued_at":1795844502.0}',
    );
    expect(jid).toMatch(/^[0-9a-f]{24}$/);
    expect(await fixture.redis.smembers('queues')).toEqual(['default']);
  });

  it('keeps the sub-second part of times and always writes them with a "."', async () => {
    const client = new Client({ redis: fixture.server.url, clock: new FakeClock(1795844502033.5) });
    await client.push({ class: 'HardWorker', args: [] });
    await client.close();
    const job = JSON.parse((await fixture.redis.lindex('queue:default', 0))!);
    expect(job.created_at).toBeCloseTo(1795844502.0335, 6);
    expect(await fixture.redis.lindex('queue:default', 0)).toContain('"enqueued_at":1795844502.0335');
  });

  it('merges a worker class options under the caller options', async () => {
    class Report {
      static sidepunchOptions: WorkerOptions = { queue: 'reports', retry: 5, backtrace: true };
      perform() {}
    }
    const client = new Client({ redis: fixture.server.url });
    await client.push({ class: Report, args: [7], retry: false });
    await client.close();
    const job = JSON.parse((await fixture.redis.lindex('queue:reports', 0))!);
    expect(job).toMatchObject({
      class: 'Report',
      queue: 'reports',
      retry: false,
      backtrace: true,
      args: [7],
    });
    expect(Object.keys(job)).toEqual([
      'retry',
      'queue',
      'backtrace',
      'args',
      'class',
      'jid',
      'created_at',
      'enqueued_at',
    ]);
  });

  it('pushes one job with SADD queues and LPUSH in one round trip', async () => {
    const client = new Client({ redis: fixture.server.url });
    await client.push({ class: 'Warmup', args: [] }); // the first push also connects
    const commands = await monitor(() => client.push({ class: 'HardWorker', args: [1], queue: 'critical' }));
    await client.close();
    expect(commands.map((args) => args.slice(0, 2))).toEqual([
      ['sadd', 'queues'],
      ['lpush', 'queue:critical'],
    ]);
  });

  it('sends a push in one write, so Redis reads its commands at once', async () => {
    const client = new Client({ redis: fixture.server.url });
    await client.push({ class: 'Warmup', args: [] }); // the first push also connects
    // Every write a socket to this Redis hands to the kernel: one chunk (_write) or several at once (_writev).
    const writes: number[] = [];
    const { _write, _writev } = Socket.prototype as unknown as Record<string, (...args: unknown[]) => void>;
    const count = (original: (...args: unknown[]) => void) =>
      function (this: Socket, ...args: unknown[]) {
        if (this.remotePort === fixture.server.port) writes.push(1);
        return original.apply(this, args);
      };
    Object.assign(Socket.prototype, { _write: count(_write!), _writev: count(_writev!) });
    try {
      await client.push({ class: 'HardWorker', args: [1] });
      expect(writes).toHaveLength(1);
      await client.pushBulk({ class: 'HardWorker', args: [[2], [3]] });
      expect(writes).toHaveLength(2);
    } finally {
      Object.assign(Socket.prototype, { _write, _writev });
    }
    await client.close();
    expect(await fixture.redis.llen('queue:default')).toBe(4);
  });

  it('pushes 10,000 jobs in bulk in one round trip, each with its own jid', async () => {
    const client = new Client({ redis: fixture.server.url });
    await client.push({ class: 'Warmup', args: [] });
    let jids: (string | undefined)[] = [];
    const commands = await monitor(async () => {
      jids = await client.pushBulk({
        class: 'HardWorker',
        args: Array.from({ length: 10_000 }, (_, i) => [i]),
      });
    });
    await client.close();
    expect(new Set(jids).size).toBe(10_000);
    expect(commands[0]!.slice(0, 2)).toEqual(['sadd', 'queues']);
    expect(commands.slice(1).every((args) => args[0] === 'lpush')).toBe(true);
    expect(await fixture.redis.llen('queue:default')).toBe(10_001);
    // The server takes from the right: the first job of the bulk is the next to run.
    expect(JSON.parse((await fixture.redis.lindex('queue:default', -2))!).args).toEqual([0]);
  });

  it('schedules a job for later in the schedule set, scored by its time, without "at"', async () => {
    const clock = new FakeClock(1795844502000);
    const client = new Client({ redis: fixture.server.url, clock });
    const jid = await client.push({ class: 'Later', args: [], in: 60 });
    await client.push({ class: 'Past', args: [], at: 1795844000 });
    await client.close();
    const [member, score] = await fixture.redis.zrange('schedule', 0, -1, 'WITHSCORES');
    const job = JSON.parse(member!);
    expect(Number(score)).toBe(1795844562);
    expect(job).toMatchObject({ class: 'Later', jid });
    expect(job).not.toHaveProperty('at');
    expect(job).not.toHaveProperty('enqueued_at');
    expect(await fixture.redis.lrange('queue:default', 0, -1)).toHaveLength(1); // the past one runs now
  });

  it('rejects a time that is not one (an invalid Date, epoch milliseconds, NaN, Infinity) instead of running the job now or never', async () => {
    const client = new Client({ redis: fixture.server.url });
    await expect(client.push({ class: 'X', args: [], at: new Date('next tuesday') })).rejects.toThrow(
      '"at" must be epoch seconds or a Date, got an invalid Date',
    );
    await expect(client.pushBulk({ class: 'X', args: [[1]], at: new Date(Number.NaN) })).rejects.toThrow(
      /invalid Date/,
    );
    await expect(client.push({ class: 'X', args: [], at: Date.now() + 60_000 })).rejects.toThrow(
      /"at" must be epoch seconds or a Date, got \d+, which is epoch milliseconds/,
    );
    await expect(client.push({ class: 'X', args: [], at: Number.NaN })).rejects.toThrow(/"at" must be/);
    await expect(client.push({ class: 'X', args: [], in: Infinity })).rejects.toThrow(/"in" must be/);
    await client.close();
    expect(await fixture.redis.dbsize()).toBe(0);
  });

  it('takes SIDEPUNCH_NAMESPACE as its namespace when given none, as sidepunch-run does; the data API too', async () => {
    process.env.SIDEPUNCH_NAMESPACE = 'fromenv';
    try {
      const client = new Client({ redis: fixture.server.url });
      await client.push({ class: 'HardWorker', args: [], queue: 'mail' });
      await client.close();
      const api = new SidepunchApi({ redis: fixture.server.url });
      expect(await api.queue('mail').size()).toBe(1);
      await api.close();
      const unprefixed = new Client({ redis: fixture.server.url, namespace: '' });
      await unprefixed.push({ class: 'HardWorker', args: [], queue: 'plain' });
      await unprefixed.close();
    } finally {
      delete process.env.SIDEPUNCH_NAMESPACE;
    }
    expect((await fixture.redis.keys('*')).sort()).toEqual([
      'fromenv:queue:mail',
      'fromenv:queues',
      'queue:plain',
      'queues',
    ]);
  });

  it('prefixes every key, but no value, with the namespace', async () => {
    const client = new Client({ redis: fixture.server.url, namespace: 'app1' });
    await client.push({ class: 'HardWorker', args: [], queue: 'mail' });
    await client.close();
    expect((await fixture.redis.keys('*')).sort()).toEqual(['app1:queue:mail', 'app1:queues']);
    expect(await fixture.redis.smembers('app1:queues')).toEqual(['mail']);
  });

  it('rejects what Sidekiq rejects, with a clear message and nothing written', async () => {
    const client = new Client({ redis: fixture.server.url });
    await expect(client.push({ class: '', args: [] })).rejects.toThrow(/needs "class"/);
    await expect(client.push({ class: 'X', args: [], queue: '' })).rejects.toThrow(/"queue" must be/);
    await expect(client.push({ class: 'X', args: [10n] })).rejects.toThrow(/JSON cannot carry/);
    // Sidekiq's Web UI lists a job's tags with `each`: a string there breaks its pages, so Sidekiq's client refuses it.
    const tags = 'urgent' as unknown as string[];
    await expect(client.push({ class: 'X', args: [], tags })).rejects.toThrow(
      'job X: "tags" must be an array of strings, got "urgent"',
    );
    await expect(client.push({ class: 'X', args: [], retry_for: 2_000_000_000 })).rejects.toThrow(
      'job X: "retry_for" must be a relative number of seconds (at most 1,000,000,000), got 2000000000',
    );
    await client.close();
    expect(await fixture.redis.dbsize()).toBe(0);
  });

  it('rejects a number JSON cannot write (NaN, Infinity) at the call, naming its path, with nothing written', async () => {
    const client = new Client({ redis: fixture.server.url });
    await expect(client.push({ class: 'X', args: [Number.NaN] })).rejects.toThrow(
      'job X has arguments JSON cannot carry: args[0] is NaN, which JSON turns into null',
    );
    await expect(client.push({ class: 'X', args: ['a', { scores: [1, -Infinity] }] })).rejects.toThrow(
      'job X has arguments JSON cannot carry: args[1].scores[1] is -Infinity, which JSON turns into null',
    );
    await expect(client.pushBulk({ class: 'X', args: [[1], [Infinity]] })).rejects.toThrow(
      'job X has arguments JSON cannot carry: args[0] is Infinity, which JSON turns into null',
    );
    await client.push({ class: 'X', args: [null, { n: null }] }); // a real null still goes
    await client.close();
    expect(await fixture.redis.llen('queue:default')).toBe(1);
  });

  it('rejects a push while Redis is unreachable instead of dropping it', async () => {
    const client = new Client({ redis: 'redis://127.0.0.1:1/0' });
    await expect(client.push({ class: 'X', args: [] })).rejects.toThrow(
      /could not save 1 job\(s\) to redis:\/\/127\.0\.0\.1:1\/0: Redis is unreachable/,
    );
    await client.close();
  });

  it('rejects a push while no Sentinel answers, naming the group, for a URL and for ioredis options', async () => {
    const port = await freePort();
    for (const redis of [
      `redis+sentinel://127.0.0.1:${port}/mymaster`,
      { sentinels: [{ host: '127.0.0.1', port }], name: 'mymaster' },
    ]) {
      const client = new Client({ redis, pushTimeout: 60 });
      await expect(client.push({ class: 'X', args: [] })).rejects.toThrow(
        `could not save 1 job(s) to redis+sentinel://127.0.0.1:${port}/mymaster: Redis is unreachable`,
      );
      await client.close();
    }
  });
});

describe('the typed stubs', () => {
  it('drop trailing undefined arguments, so optional parameters arrive missing, not null', async () => {
    await fixture.redis.flushall();
    const { configure, close, workerStub } = await import('../../runtime/index.js');
    configure({ redis: fixture.server.url });
    try {
      const stub = workerStub<[id: number, note?: string]>('Noted', { queue: 'notes' });
      await stub.performAsync(1, undefined);
      await stub.performBulk([[2], [3, undefined], [4, 'x']]);
      const args = (await fixture.redis.lrange('queue:notes', 0, -1))
        .reverse()
        .map((raw) => JSON.parse(raw).args);
      expect(args).toEqual([[1], [2], [3], [4, 'x']]);
    } finally {
      await close();
    }
  });
});
