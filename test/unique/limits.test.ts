import { afterEach, describe, expect, it } from 'vitest';
import { SidepunchApi } from '../../runtime/api/api.js';
import { Client } from '../../runtime/client/client.js';
import { limiter, OverLimitError } from '../../runtime/client/limiter.js';
import { FakeClock } from '../../runtime/core/clock.js';
import { limiterKeyOf } from '../../runtime/core/limit.js';
import type { WorkerOptions } from '../../runtime/core/worker.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
let runtime: InProcessRuntime | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await runtime?.stop();
  runtime = undefined;
});

/** A worker whose runs wait for `gate` to open; records the arguments and the jid of each start. */
function gatedWorker(name: string, options: WorkerOptions) {
  let open!: () => void;
  const state = {
    started: [] as unknown[][],
    jids: [] as string[],
    gate: new Promise<void>((resolve) => {
      open = resolve;
    }),
    open: () => open(),
  };
  const cls = class {
    static sidepunchOptions = options;
    jid?: string;
    async perform(...args: unknown[]) {
      state.started.push(args);
      state.jids.push(this.jid!);
      await state.gate;
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return { cls, state };
}

function start(workers: Record<string, any>, concurrency = 10) {
  runtime = startInProcess(fixture.server.url, workers, { concurrency, random: () => 0 });
  client = new Client({ redis: fixture.server.url, clock: runtime.clock });
  return { runtime, client };
}

/** Resolves once `total` outcomes have been written, however the completer batched them. */
function outcomesWritten(runtime: InProcessRuntime, total: number): Promise<void> {
  let written = 0;
  return new Promise((resolve) => {
    const off = runtime.launcher.events.on('complete:flushed', ({ count }) => {
      written += count;
      if (written >= total) {
        off();
        resolve();
      }
    });
  });
}

async function scheduled(): Promise<{ job: any; score: number }[]> {
  const flat = await fixture.redis.zrange('schedule', 0, -1, 'WITHSCORES');
  const entries = [];
  for (let i = 0; i < flat.length; i += 2)
    entries.push({ job: JSON.parse(flat[i]!), score: Number(flat[i + 1]) });
  return entries;
}

describe('concurrency limits', () => {
  it('at most `limit` run at once; the others are rescheduled after the backoff, retry count untouched, counted', async () => {
    const { cls, state } = gatedWorker('Slow', {
      limit: { kind: 'concurrent', limit: 2, backoff: 5, wait: 0 },
    });
    const { runtime, client } = start({ Slow: cls });
    const flushed = outcomesWritten(runtime, 3);
    await client.pushBulk({ class: cls, args: [[1], [2], [3], [4], [5]] });
    const now = runtime.clock.now() / 1000;
    await flushed;
    expect(state.started).toHaveLength(2);
    const later = await scheduled();
    expect(later).toHaveLength(3);
    for (const { job, score } of later) {
      expect(job).not.toHaveProperty('retry_count');
      expect(job).not.toHaveProperty('limit');
      expect(score - now).toBeGreaterThanOrEqual(5);
      expect(score - now).toBeLessThan(10.1);
    }
    expect(await fixture.redis.hget('sidepunch:limiter-reschedules', 'Slow')).toBe('3');
    expect(await fixture.redis.zcard('sidepunch:limiter:concurrent:Slow')).toBe(2);
    expect(JSON.parse((await fixture.redis.hget('sidepunch:limiters', 'Slow'))!)).toMatchObject({
      kind: 'concurrent',
      limit: 2,
    });

    const done = outcomesWritten(runtime, 2);
    state.open();
    await done;
    expect(await fixture.redis.zcard('sidepunch:limiter:concurrent:Slow')).toBe(0);
    // the rescheduled jobs run once they are due
    runtime.clock.advance(11_000);
    const rest = outcomesWritten(runtime, 2);
    expect(await runtime.launcher.scheduler.tick()).toBe(3);
    await rest;
    expect(state.started.length).toBeGreaterThanOrEqual(4);
  });

  it('a malformed limit fails each of its jobs with one clear line, not taken as checked', async () => {
    const bad = gatedWorker('BadLimit', {
      limit: { kind: 'sometimes' } as unknown as WorkerOptions['limit'],
    });
    const { runtime, client } = start({ BadLimit: bad.cls });
    const flushed = outcomesWritten(runtime, 2);
    await client.pushBulk({ class: bad.cls, args: [[1], [2]] });
    await flushed;
    expect(bad.state.started).toEqual([]);
    const retries = (await fixture.redis.zrange('retry', 0, -1)).map((raw) => JSON.parse(raw));
    expect(retries.map((job) => job.error_message)).toEqual([
      expect.stringMatching(/^BadLimit\.sidepunchOptions\.limit .*kind/),
      expect.stringMatching(/^BadLimit\.sidepunchOptions\.limit .*kind/),
    ]);
    expect(await fixture.redis.zcard('retry')).toBe(2);
  });

  it('`by` makes one limiter per argument value', async () => {
    const { cls, state } = gatedWorker('PerCounter', {
      limit: { kind: 'concurrent', limit: 1, by: [0], wait: 0 },
    });
    const { runtime, client } = start({ PerCounter: cls });
    const flushed = outcomesWritten(runtime, 2);
    await client.pushBulk({
      class: cls,
      args: [
        ['a', 1],
        ['a', 2],
        ['b', 1],
        ['b', 2],
      ],
    });
    await flushed;
    expect(state.started.map(([counter]) => counter).sort()).toEqual(['a', 'b']);
    expect(await fixture.redis.zcard('schedule')).toBe(2);

    const api = new SidepunchApi({ redis: fixture.server.url, clock: runtime.clock });
    try {
      expect(await api.limiters.all()).toEqual([
        {
          name: 'PerCounter',
          kind: 'concurrent',
          limit: 1,
          options: { kind: 'concurrent', limit: 1, by: [0], wait: 0 },
          inUse: 2,
          keys: 2,
          reschedules: 2,
        },
      ]);
    } finally {
      await api.close();
    }
    state.open();
  });

  it('a lease whose holder died lapses after its lease time: the limiter has room again', async () => {
    const { cls, state } = gatedWorker('Leased', {
      limit: { kind: 'concurrent', limit: 1, lease: 30, wait: 0 },
    });
    const { runtime, client } = start({ Leased: cls });
    const deadHolderExpiry = runtime.clock.now() + 30_000;
    await fixture.redis.zadd(
      'sidepunch:limiter:concurrent:Leased',
      deadHolderExpiry,
      'jid-of-a-dead-process',
    );
    let flushed = runtime.next('complete:flushed');
    await client.push({ class: cls, args: [1] });
    await flushed;
    expect(state.started).toHaveLength(0);
    runtime.clock.advance(31_000);
    const started = runtime.next('job:start');
    flushed = runtime.next('complete:flushed');
    expect(await runtime.launcher.scheduler.tick()).toBe(1);
    await started;
    expect(state.started).toHaveLength(1);
    state.open();
    await flushed;
  });
  it('a job that runs longer than its lease keeps it while it runs: no second job starts beside it', async () => {
    const { cls, state } = gatedWorker('LongRun', {
      limit: { kind: 'concurrent', limit: 1, lease: 0.3, wait: 0 },
    });
    const { runtime, client } = start({ LongRun: cls });
    const leases = 'sidepunch:limiter:concurrent:LongRun';
    const first = runtime.next('job:start');
    await client.push({ class: cls, args: [1] });
    await first;
    // Ten leases' time passes on the runtime's clock while the job still runs; its process renews the lease.
    runtime.clock.advance(3_000);
    const renewed = Date.now() + 2_000;
    while (
      Date.now() < renewed &&
      Number(await fixture.redis.zscore(leases, state.jids[0]!)) <= runtime.clock.now()
    )
      await new Promise((resolve) => setTimeout(resolve, 20));
    const started = runtime.next('job:start').then(() => 'started beside it');
    const flushed = outcomesWritten(runtime, 1).then(() => 'rescheduled');
    await client.push({ class: cls, args: [2] });
    expect(await Promise.race([started, flushed])).toBe('rescheduled');
    expect(state.started).toEqual([[1]]);
    expect(await fixture.redis.hget('sidepunch:limiter-reschedules', 'LongRun')).toBe('1');
    const done = outcomesWritten(runtime, 1);
    state.open();
    await done;
    expect(await fixture.redis.zcard(leases)).toBe(0);
  });
});

describe('window limits', () => {
  it('at most `limit` starts per window; the rest wait for a later window', async () => {
    const { cls, state } = gatedWorker('Api', { limit: { kind: 'window', limit: 2, per: 10, wait: 0 } });
    const { runtime, client } = start({ Api: cls });
    const flushed = outcomesWritten(runtime, 3);
    await client.pushBulk({ class: cls, args: [[1], [2], [3], [4], [5]] });
    await flushed;
    expect(state.started).toHaveLength(2);
    const now = runtime.clock.now() / 1000;
    const windowEnd = Math.floor(now / 10) * 10 + 10;
    for (const { score } of await scheduled()) expect(score).toBeGreaterThanOrEqual(windowEnd);
    state.open();
  });

  it('a start whose count reached Redis after its window ended counts in the window it starts in', async () => {
    // A loaded host: the clock read before the script is in one window, the start after its reply in the next.
    const windowEnd = Date.UTC(2026, 10, 28, 12, 1, 0);
    let reads = 0;
    const clock = { now: () => (reads++ === 0 ? windowEnd - 1 : windowEnd + 1) };
    const perMinute = limiter.window(
      'per-minute',
      { limit: 1, per: 60, wait: 0 },
      { redis: fixture.server.url, clock },
    );
    try {
      expect(await perMinute.within(undefined, () => 'ran')).toBe('ran');
      // The next start in that minute is one too many.
      await expect(perMinute.within(undefined, () => 'again')).rejects.toBeInstanceOf(OverLimitError);
      expect(await fixture.redis.get(`sidepunch:limiter:window:per-minute:${windowEnd}`)).toBe('1');
      // The minute it missed has it back: the limiter's counts sum to the starts.
      expect(await fixture.redis.get(`sidepunch:limiter:window:per-minute:${windowEnd - 60_000}`)).toBe('0');
    } finally {
      await perMinute.close();
    }
  });
});

describe('bucket and leaky limits', () => {
  it('a token bucket lets a burst of `limit` through, then one more per refill', async () => {
    const { cls, state } = gatedWorker('Bucket', { limit: { kind: 'bucket', limit: 3, per: 30, wait: 0 } });
    const { runtime, client } = start({ Bucket: cls });
    const written = outcomesWritten(runtime, 2);
    await client.pushBulk({ class: cls, args: [[1], [2], [3], [4], [5]] });
    await written;
    expect(state.started).toHaveLength(3);
    const now = runtime.clock.now() / 1000;
    // one token comes back every 10 s
    for (const { score } of await scheduled()) expect(score - now).toBeGreaterThanOrEqual(10);
    state.open();
  });

  it("the data API counts a token bucket's tokens taken now: those refilled since the last take are back", async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 28, 12, 0, 0));
    const bucket = limiter.bucket('refilled', { limit: 4, per: 20 }, { redis: fixture.server.url, clock });
    const api = new SidepunchApi({ redis: fixture.server.url, clock });
    try {
      for (let i = 0; i < 4; i++) await bucket.within(undefined, () => undefined);
      const inUse = async () => (await api.limiters.all()).map(({ inUse, keys }) => ({ inUse, keys }));
      expect(await inUse()).toEqual([{ inUse: 4, keys: 1 }]);
      clock.advance(10_000); // half the bucket refilled
      expect(await inUse()).toEqual([{ inUse: 2, keys: 1 }]);
      clock.advance(10_000);
      expect(await inUse()).toEqual([{ inUse: 0, keys: 0 }]);
    } finally {
      await api.close();
      await bucket.close();
    }
  });

  it('a leaky bucket spaces starts evenly: `limit` per `per`, no burst', async () => {
    const { cls, state } = gatedWorker('Leaky', { limit: { kind: 'leaky', limit: 2, per: 10, wait: 0 } });
    const { runtime, client } = start({ Leaky: cls });
    const written = outcomesWritten(runtime, 2);
    await client.pushBulk({ class: cls, args: [[1], [2], [3]] });
    await written;
    expect(state.started).toHaveLength(1);
    const now = runtime.clock.now() / 1000;
    for (const { score } of await scheduled()) expect(score - now).toBeGreaterThanOrEqual(5);
    state.open();
  });
});

/** Holds `limiter`'s only slot until release() (a run of `within` that waits). */
async function holdLimiter(held: { within(key: undefined, fn: () => Promise<void>): Promise<void> }) {
  let release!: () => void;
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const done = held.within(undefined, () => {
    entered();
    return new Promise<void>((resolve) => {
      release = resolve;
    });
  });
  await inside;
  return { release: () => release(), done };
}

describe('limiter.within, inside perform', () => {
  it('runs the code when there is room; over the limit, the job is rescheduled, not failed, and counted', async () => {
    const calls: string[] = [];
    let gate!: () => void;
    const held = new Promise<void>((resolve) => {
      gate = resolve;
    });
    let firstCall!: () => void;
    const called = new Promise<void>((resolve) => {
      firstCall = resolve;
    });
    const counterApi = limiter.concurrent(
      'counter-api',
      { limit: 1, wait: 0 },
      { redis: fixture.server.url },
    );
    const CallsApi = class {
      async perform(counter: string, hold: boolean) {
        await counterApi.within(counter, async () => {
          calls.push(counter);
          firstCall();
          if (hold) await held;
        });
      }
    };
    Object.defineProperty(CallsApi, 'name', { value: 'CallsApi' });
    const { runtime, client } = start({ CallsApi });
    try {
      await client.push({ class: 'CallsApi', args: ['c1', true] });
      await called;
      const written = outcomesWritten(runtime, 2);
      await client.pushBulk({
        class: 'CallsApi',
        args: [
          ['c1', false],
          ['c2', false],
        ],
      });
      await written;
      expect(calls.sort()).toEqual(['c1', 'c2']);
      const [entry] = await scheduled();
      expect(entry!.job).toMatchObject({ args: ['c1', false] });
      expect(entry!.job).not.toHaveProperty('retry_count');
      expect(await fixture.redis.zcard('retry')).toBe(0);
      expect(await fixture.redis.hget('sidepunch:limiter-reschedules', 'counter-api')).toBe('1');
      const done = outcomesWritten(runtime, 1);
      gate();
      await done;
      expect(await fixture.redis.zcard('sidepunch:limiter:concurrent:counter-api:c1')).toBe(0);
    } finally {
      await counterApi.close();
    }
  });

  it("over the limit, the job is rescheduled after the limiter's own `backoff`", async () => {
    const slowApi = limiter.concurrent(
      'slow-api',
      { limit: 1, wait: 0, backoff: 60 },
      { redis: fixture.server.url },
    );
    const held = await holdLimiter(slowApi);
    const CallsSlowApi = class {
      async perform() {
        await slowApi.within(undefined, () => undefined);
      }
    };
    Object.defineProperty(CallsSlowApi, 'name', { value: 'CallsSlowApi' });
    const { runtime, client } = start({ CallsSlowApi });
    try {
      const written = outcomesWritten(runtime, 1);
      await client.push({ class: 'CallsSlowApi', args: [] });
      await written;
      const now = runtime.clock.now() / 1000;
      const [entry] = await scheduled();
      // 60 s × [1, 2) with the runtime's random at 0: not the default backoff of 1 s
      expect(entry!.score - now).toBeGreaterThanOrEqual(59);
      expect(entry!.score - now).toBeLessThan(62);
    } finally {
      held.release();
      await held.done;
      await slowApi.close();
    }
  });

  it('a block that runs longer than its lease keeps it until it settles', async () => {
    const shortLease = limiter.concurrent(
      'short-lease',
      { limit: 1, lease: 0.3, wait: 0 },
      { redis: fixture.server.url },
    );
    try {
      const held = await holdLimiter(shortLease);
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // over three leases' time
      await expect(shortLease.within(undefined, () => 'beside it')).rejects.toBeInstanceOf(OverLimitError);
      held.release();
      await held.done;
      expect(await shortLease.within(undefined, () => 'after it')).toBe('after it');
    } finally {
      await shortLease.close();
    }
  });

  it('outside a job, over the limit throws OverLimitError', async () => {
    const once = limiter.window('once', { limit: 1, per: 60, wait: 0 }, { redis: fixture.server.url });
    try {
      expect(await once.within(undefined, () => 'ran')).toBe('ran');
      await expect(once.within(undefined, () => 'again')).rejects.toBeInstanceOf(OverLimitError);
    } finally {
      await once.close();
    }
  });
});

describe('limiter names and keys', () => {
  it('keeps a limiter whose name has a colon apart from a keyed limiter, and keyed values apart from each other', async () => {
    const where = { redis: fixture.server.url };
    const named = limiter.concurrent('api:v2', { limit: 1, wait: 0 }, where);
    const keyed = limiter.concurrent('api', { limit: 1, wait: 0 }, where);
    const held = await holdLimiter(named);
    try {
      await expect(keyed.within('v2', async () => 'ran')).resolves.toBe('ran');
      const byBoth = { kind: 'concurrent', limit: 1, by: [0, 1] } as const;
      expect(limiterKeyOf('Sync', byBoth, ['a:b', 'c'])).not.toBe(limiterKeyOf('Sync', byBoth, ['a', 'b:c']));
      expect(limiterKeyOf('Sync', byBoth, ['a', 'b'])).toBe('Sync:a:b');
      const api = new SidepunchApi({ redis: fixture.server.url });
      try {
        const [apiLimiter, v2Limiter] = await api.limiters.all();
        expect([apiLimiter!.name, apiLimiter!.inUse, v2Limiter!.name, v2Limiter!.inUse]).toEqual([
          'api',
          0,
          'api:v2',
          1,
        ]);
      } finally {
        await api.close();
      }
    } finally {
      held.release();
      await held.done;
      await named.close();
      await keyed.close();
    }
  });
});
