import { inflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '../../runtime/client/client.js';
import { onJobDeath, onJobError } from '../../runtime/core/handlers.js';
import type { WorkerOptions } from '../../runtime/core/worker.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
let client: Client;
let runtime: InProcessRuntime | undefined;
const runs: string[] = [];

beforeEach(() => {
  runs.length = 0;
});
afterEach(async () => {
  await client?.close();
  await runtime?.stop();
  runtime = undefined;
});

/** Fails `failures` times, then succeeds; records every run. */
function flaky(name: string, failures: number, options: WorkerOptions = {}) {
  let attempts = 0;
  const worker = class {
    static sidepunchOptions = options;
    jid?: string;
    perform(tag: string) {
      runs.push(`${name}:${tag}`);
      attempts++;
      if (attempts <= failures) throw new TypeError(`attempt ${attempts} failed`);
    }
  };
  Object.defineProperty(worker, 'name', { value: name });
  return worker;
}

function start(workers: Record<string, any>, random: () => number = () => 0) {
  runtime = startInProcess(fixture.server.url, workers, { random });
  client = new Client({ redis: fixture.server.url, clock: runtime.clock });
  return runtime;
}

async function retryEntries(): Promise<{ job: any; score: number }[]> {
  const flat = await fixture.redis.zrange('retry', 0, -1, 'WITHSCORES');
  const entries = [];
  for (let i = 0; i < flat.length; i += 2)
    entries.push({ job: JSON.parse(flat[i]!), score: Number(flat[i + 1]) });
  return entries;
}

describe('retries, with Sidekiq semantics and an injected clock', () => {
  it('a job that fails twice runs three times: retry_count 0 then 1, delays inside the formula', async () => {
    const { clock, launcher, next } = start({ Flaky: flaky('Flaky', 2) }, Math.random);
    let written = next('complete:flushed');
    const jid = await client.push({ class: 'Flaky', args: ['t'], x_custom: 'kept' } as any);
    const t0 = clock.now() / 1000;
    await written;

    let [entry] = await retryEntries();
    expect(entry!.job).toMatchObject({
      jid,
      x_custom: 'kept',
      retry_count: 0,
      failed_at: t0,
      error_class: 'TypeError',
      error_message: 'attempt 1 failed',
      queue: 'default',
    });
    expect(entry!.job).not.toHaveProperty('retried_at');
    expect(entry!.job).not.toHaveProperty('error_backtrace');
    expect(entry!.score - t0).toBeGreaterThanOrEqual(15); // 0⁴ + 15 + rand(10)·1
    expect(entry!.score - t0).toBeLessThanOrEqual(24);

    clock.set(entry!.score * 1000);
    written = next('complete:flushed');
    expect(await launcher.scheduler.tick()).toBe(1);
    await written;
    const t1 = clock.now() / 1000;
    [entry] = await retryEntries();
    expect(entry!.job).toMatchObject({
      jid,
      retry_count: 1,
      failed_at: t0,
      retried_at: t1,
      x_custom: 'kept',
    });
    expect(entry!.score - t1).toBeGreaterThanOrEqual(16); // 1⁴ + 15 + rand(10)·2
    expect(entry!.score - t1).toBeLessThanOrEqual(34);

    clock.set(entry!.score * 1000);
    written = next('complete:flushed');
    expect(await launcher.scheduler.tick()).toBe(1);
    await written;
    expect(runs).toEqual(['Flaky:t', 'Flaky:t', 'Flaky:t']);
    expect(await fixture.redis.zcard('retry')).toBe(0);
    expect(await fixture.redis.get('stat:processed')).toBe('3');
    expect(await fixture.redis.get('stat:failed')).toBe('2');
    expect(await fixture.redis.zcard('dead')).toBe(0);
  });

  it('retry: 2 ends in the dead set after three runs, with the exhausted hook called once', async () => {
    const exhausted: any[] = [];
    const Doomed = flaky('Doomed', 99, { retry: 2 }) as any;
    Doomed.sidepunchRetriesExhausted = (job: any, error: Error) =>
      exhausted.push({ job, message: error.message });
    const deaths: string[] = [];
    const off = onJobDeath((job) => deaths.push(job.jid!));
    try {
      const { clock, launcher, next } = start({ Doomed });
      let written = next('complete:flushed');
      const jid = await client.push({ class: Doomed, args: ['d'] });
      for (let run = 1; run <= 2; run++) {
        await written;
        const [entry] = await retryEntries();
        expect(entry!.job.retry_count).toBe(run - 1);
        clock.set(entry!.score * 1000);
        written = next('complete:flushed');
        expect(await launcher.scheduler.tick()).toBe(1);
      }
      await written;
      expect(await fixture.redis.zcard('dead')).toBe(1);
      expect(runs).toHaveLength(3);
      expect(exhausted).toHaveLength(1);
      expect(exhausted[0]).toMatchObject({ job: { jid, retry_count: 2 }, message: 'attempt 3 failed' });
      expect(deaths).toEqual([jid]);
      const [dead] = await fixture.redis.zrange('dead', 0, -1);
      expect(JSON.parse(dead!)).toMatchObject({
        jid,
        retry: 2,
        retry_count: 2,
        error_message: 'attempt 3 failed',
      });
      expect(await fixture.redis.zcard('retry')).toBe(0);
    } finally {
      off();
    }
  });

  it("an exhausted hook answering 'discard' drops the job: no dead set, no death handlers, as Sidekiq's :discard", async () => {
    const Dropped = flaky('Dropped', 99, { retry: 0 }) as any;
    Dropped.sidepunchRetriesExhausted = async () => 'discard';
    const deaths: string[] = [];
    const off = onJobDeath((job) => deaths.push(job.jid!));
    try {
      const { next, log } = start({ Dropped });
      const written = next('complete:flushed');
      const jid = await client.push({ class: Dropped, args: ['x'] });
      await written;
      expect(await fixture.redis.zcard('dead')).toBe(0);
      expect(await fixture.redis.zcard('retry')).toBe(0);
      expect(deaths).toEqual([]);
      expect(await fixture.redis.get('stat:failed')).toBe('1');
      expect(log()).toContain(`jid=${jid} INFO: discarded by Dropped.sidepunchRetriesExhausted`);
    } finally {
      off();
    }
  });

  it('retry: false leaves no trace but the failed counter', async () => {
    const Once = flaky('Once', 1, { retry: false });
    const written = start({ Once }).next('complete:flushed');
    await client.push({ class: Once, args: ['x'] });
    await written;
    expect(await fixture.redis.get('stat:failed')).toBe('1');
    expect(await fixture.redis.zcard('retry')).toBe(0);
    expect(await fixture.redis.zcard('dead')).toBe(0);
    expect(await fixture.redis.llen('queue:default')).toBe(0);
  });

  it('retry: 0 goes straight to the dead set, as in Sidekiq', async () => {
    const Zero = flaky('Zero', 1, { retry: 0 });
    const written = start({ Zero }).next('complete:flushed');
    const jid = await client.push({ class: Zero, args: ['z'] });
    await written;
    expect(await fixture.redis.zcard('dead')).toBe(1);
    expect(JSON.parse((await fixture.redis.zrange('dead', 0, -1))[0]!)).toMatchObject({
      jid,
      retry_count: 0,
    });
    expect(await fixture.redis.zcard('retry')).toBe(0);
  });

  it('a job with retry_for is dead once that long has passed since its first failure, as in Sidekiq 7.2+', async () => {
    const exhausted: string[] = [];
    const Bounded = flaky('Bounded', 99, { retry_for: 60 }) as any;
    Bounded.sidepunchRetriesExhausted = (job: any) => exhausted.push(job.jid);
    const { clock, launcher, next } = start({ Bounded });
    const t0 = clock.now() / 1000;
    let written = next('complete:flushed');
    const jid = await client.push({ class: Bounded, args: ['b'] });
    await written;
    let [entry] = await retryEntries();
    expect(entry!.job).toMatchObject({ jid, retry_for: 60, retry_count: 0, failed_at: t0 });

    // Within the 60 s since the first failure: retried.
    clock.set(entry!.score * 1000);
    written = next('complete:flushed');
    expect(await launcher.scheduler.tick()).toBe(1);
    await written;
    [entry] = await retryEntries();
    expect(entry!.job).toMatchObject({ jid, retry_count: 1, failed_at: t0 });

    // An hour after it: dead at the next failure, though retries remain.
    clock.set((t0 + 3600) * 1000);
    written = next('complete:flushed');
    expect(await launcher.scheduler.tick()).toBe(1);
    await written;
    expect(runs).toHaveLength(3);
    expect(await fixture.redis.zcard('retry')).toBe(0);
    expect(exhausted).toEqual([jid]);
    const [dead] = await fixture.redis.zrange('dead', 0, -1);
    expect(JSON.parse(dead!)).toMatchObject({ jid, retry_count: 2, failed_at: t0, retry_for: 60 });
  });

  it('honours sidepunchRetryIn: seconds, discard and kill', async () => {
    const Custom = flaky('Custom', 99) as any;
    Custom.sidepunchRetryIn = (count: number, error: Error) =>
      error.message.includes('1') ? 100 : count === 1 ? 'kill' : 'discard';
    const { clock, launcher, next } = start({ Custom });
    const t0 = clock.now() / 1000;
    let written = next('complete:flushed');
    await client.push({ class: 'Custom', args: ['c'] });
    await written;
    expect(await fixture.redis.zcard('retry')).toBe(1);
    expect((await retryEntries())[0]!.score).toBe(t0 + 100); // rand pinned to 0: no jitter
    clock.set((t0 + 100) * 1000);
    written = next('complete:flushed');
    await launcher.scheduler.tick();
    await written;
    // Killed on the second failure.
    expect(await fixture.redis.zcard('dead')).toBe(1);
    expect(await fixture.redis.zcard('retry')).toBe(0);

    // A fresh worker class whose hook discards.
    await runtime!.stop();
    const Discarded = flaky('Discarded', 99) as any;
    Discarded.sidepunchRetryIn = () => 'discard';
    written = start({ Discarded }).next('complete:flushed');
    await client.push({ class: 'Discarded', args: ['x'] });
    await written;
    expect(await fixture.redis.get('stat:failed')).toBe('3');
    expect(await fixture.redis.zcard('retry')).toBe(0);
    expect(await fixture.redis.zcard('dead')).toBe(1);
  });

  it('stores the backtrace only when asked, as zlib + Base64 of a JSON array; keeps messages to 10,000 characters', async () => {
    class Traced {
      static sidepunchOptions = { backtrace: 2 };
      perform() {
        throw new RangeError('x'.repeat(20_000));
      }
    }
    const written = start({ Traced }).next('complete:flushed');
    await client.push({ class: Traced, args: [] });
    await written;
    expect(await fixture.redis.zcard('retry')).toBe(1);
    const { job } = (await retryEntries())[0]!;
    expect(job.error_class).toBe('RangeError');
    expect(job.error_message).toHaveLength(10_000);
    expect(job.error_backtrace).toMatch(/^eJ[A-Za-z0-9+/=]+$/);
    const lines = JSON.parse(inflateSync(Buffer.from(job.error_backtrace, 'base64')).toString());
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/perform/);
  });

  it('retries on retry_queue, keeps the job out of the dead set with dead: false, and tells the error handlers', async () => {
    const errors: string[] = [];
    const off = onJobError((error, context) =>
      errors.push(`${context.job?.class}:${(error as Error).message}`),
    );
    try {
      const Routed = flaky('Routed', 99, { retry: 1, retry_queue: 'slow', dead: false });
      const { clock, launcher, next } = start({ Routed });
      const firstWritten = next('complete:flushed');
      await client.push({ class: Routed, args: ['r'] });
      await firstWritten;
      expect(await fixture.redis.zcard('retry')).toBe(1);
      expect((await retryEntries())[0]!.job.queue).toBe('slow');
      clock.set((await retryEntries())[0]!.score * 1000);
      await launcher.scheduler.tick();
      expect(await fixture.redis.llen('queue:slow')).toBe(1);
      expect(await fixture.redis.smembers('queues')).toContain('slow');
      expect(errors).toEqual(['Routed:attempt 1 failed']);
      // The second failure exhausts retry: 1, and dead: false keeps it out of the dead set.
      await runtime!.stop();
      runtime = startInProcess(fixture.server.url, { Routed }, { queues: ['slow'], random: () => 0 });
      await runtime.next('complete:flushed');
      expect(errors).toHaveLength(2);
      expect(await fixture.redis.get('stat:failed')).toBe('2');
      expect(await fixture.redis.zcard('dead')).toBe(0);
      expect(await fixture.redis.zcard('retry')).toBe(0);
    } finally {
      off();
    }
  });
});

describe('scheduled jobs', () => {
  it('run once their time has come, re-pushed with a fresh enqueued_at', async () => {
    const { clock, launcher, next } = start({ Later: flaky('Later', 0) });
    const jid = await client.push({ class: 'Later', args: ['l'], in: 60 });
    expect(await launcher.scheduler.tick()).toBe(0);
    clock.advance(59_000);
    expect(await launcher.scheduler.tick()).toBe(0);
    clock.advance(1_000);
    const done = next('job:done', (event) => event.jid === jid);
    expect(await launcher.scheduler.tick()).toBe(1);
    await done;
    expect(runs).toEqual(['Later:l']);
    expect(await fixture.redis.zcard('schedule')).toBe(0);
    expect(jid).toMatch(/^[0-9a-f]{24}$/);
  });

  it('a member that is not a job goes to the dead set with its reason instead of blocking the schedule', async () => {
    const { launcher } = start({});
    await fixture.redis.zadd('schedule', 1, 'garbage');
    expect(await launcher.scheduler.tick()).toBe(0);
    expect(await fixture.redis.zrange('dead', 0, -1)).toEqual(['garbage']);
    expect(await fixture.redis.hget('sidepunch:dead-reasons', 'garbage')).toMatch(/not JSON/);
    expect(await fixture.redis.zcard('schedule')).toBe(0);
  });
});
