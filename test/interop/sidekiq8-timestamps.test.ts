/**
 * Timestamps across Sidekiq versions. Sidekiq 8 tells seconds from milliseconds by JSON type (Float ⇒ seconds,
 * Integer ⇒ ms), so:
 *  - every time Sidepunch writes is a float with a `.`, even on a whole second, and Ruby reads it as a Float;
 *  - a Sidekiq 8 payload (fixtures/interop/sidekiq8-payload.jsonl: integer-ms `created_at`/`enqueued_at`, Pro and
 *    Enterprise fields) is performed, retried and rescued by Sidepunch with every byte Sidepunch does not own kept.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, toEpochSeconds } from '../../runtime/index.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';
import { useInteropApp } from './support/interop-app.js';
import { performedJobs } from './support/performed.js';
import { INTEROP_DIR, rubySidekiq, runRuby } from './support/ruby-sidekiq.js';

const SIDEKIQ8_PAYLOAD = readFileSync(`${INTEROP_DIR}sidekiq8-payload.jsonl`, 'utf8').trim();
const TIME_FIELD = /"(created_at|enqueued_at|failed_at|retried_at)":(-?[\d.e+-]+)/g;

/** Each time field of a raw payload with its text, e.g. `created_at → 1795844000.0`. */
function timeTexts(raw: string): Record<string, string> {
  return Object.fromEntries([...raw.matchAll(TIME_FIELD)].map((match) => [match[1]!, match[2]!]));
}

class AlwaysFails {
  static sidepunchOptions = { retry: 1 };
  perform(): void {
    throw new Error('always');
  }
}

describe('Sidekiq 7/8 readers: Sidepunch writes float seconds with a "."', () => {
  const fixture = useRedis();
  let runtime: InProcessRuntime | undefined;
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });

  it('queue, schedule, retry and dead payloads written on a whole second still carry a "."', async () => {
    runtime = startInProcess(fixture.server.url, { AlwaysFails });
    const { clock, launcher, next } = runtime;
    expect(clock.now() % 1000).toBe(0);
    let failed = next('complete:flushed');
    const client = new Client({ redis: fixture.server.url, clock });
    (await client.push({ class: 'InteropEcho', args: [1], queue: 'parked' }))!;
    (await client.push({ class: 'InteropEcho', args: [2], in: 3600 }))!;
    (await client.push({ class: AlwaysFails, args: [] }))!;
    await client.close();
    await failed;
    expect(await fixture.redis.zcard('retry')).toBe(1);
    clock.advance(100_000);
    failed = next('complete:flushed');
    expect(await launcher.scheduler.tick()).toBe(1);
    await failed;
    // The second failure killed it.
    expect(await fixture.redis.zcard('dead')).toBe(1);

    const [queued] = await fixture.redis.lrange('queue:parked', 0, -1);
    const [scheduled] = await fixture.redis.zrange('schedule', 0, -1);
    const [dead] = await fixture.redis.zrange('dead', 0, -1);
    const t0 = clock.now() / 1000 - 100;
    expect(timeTexts(queued!)).toEqual({ created_at: `${t0}.0`, enqueued_at: `${t0}.0` });
    expect(timeTexts(scheduled!)).toEqual({ created_at: `${t0}.0` });
    expect(timeTexts(dead!)).toEqual({
      created_at: `${t0}.0`,
      enqueued_at: `${t0 + 100}.0`,
      failed_at: `${t0}.0`,
      retried_at: `${t0 + 100}.0`,
    });

    if (rubySidekiq.missing) return;
    // Ruby's JSON reads them as Floats: Sidekiq 8 takes Floats as seconds.
    const types = async (command: string, ...args: string[]) =>
      (
        await runRuby<{ jobs: { types: Record<string, string> }[] }>('api.rb', fixture.server.url, [
          command,
          ...args,
        ])
      ).jobs[0]!.types;
    expect(await types('queue', 'parked')).toMatchObject({ created_at: 'Float', enqueued_at: 'Float' });
    expect(await types('scheduled')).toMatchObject({ created_at: 'Float' });
    expect(await types('dead')).toMatchObject({
      created_at: 'Float',
      enqueued_at: 'Float',
      failed_at: 'Float',
      retried_at: 'Float',
    });
  });
});

describe('a Sidekiq 8 payload with integer-millisecond times', () => {
  const fixture = useRedis();
  const app = useInteropApp('sidekiq8');

  it('reads its millisecond times as the right moment', () => {
    const payload = JSON.parse(SIDEKIQ8_PAYLOAD) as Record<string, number>;
    expect(new Date(toEpochSeconds(payload.created_at)! * 1000).toISOString()).toBe(
      '2026-11-28T05:33:20.123Z',
    );
    expect(toEpochSeconds(payload.enqueued_at)! - toEpochSeconds(payload.created_at)!).toBeCloseTo(0.333, 6);
  });

  it('is performed and retried with its millisecond times and Pro fields untouched', async () => {
    const jid = (JSON.parse(SIDEKIQ8_PAYLOAD) as { jid: string }).jid;
    await fixture.redis.multi().sadd('queues', 'default').lpush('queue:default', SIDEKIQ8_PAYLOAD).exec();
    const runtime = fixture.run(['--poll-interval', '1'], { registry: app.registry });
    await waitUntil(
      'the first failure in the retry set',
      async () => (await fixture.redis.zcard('retry')) === 1,
    );

    const [retry] = await fixture.redis.zrange('retry', 0, -1);
    // Every original byte stays; Sidepunch's error fields are appended, its own times in float seconds.
    expect(retry!.startsWith(SIDEKIQ8_PAYLOAD.slice(0, -1))).toBe(true);
    expect(timeTexts(retry!)).toEqual({
      created_at: '1795844000123',
      enqueued_at: '1795844000456',
      failed_at: expect.stringMatching(/^\d+\.\d+$/),
    });
    expect(JSON.parse(retry!)).toMatchObject({
      retry_count: 0,
      error_class: 'InteropError',
      error_message: 'eight ms',
      bid: 'b-8ZfKq3xVt2',
      unique_for: 600,
      unique_token: '5f1d0c',
      cattr: { tenant_id: 42 },
      tags: ['sidekiq-8'],
    });
    expect(JSON.parse(retry!).error_backtrace).toEqual(expect.any(String));

    // Due now: the scheduler puts it back on its queue and the second run succeeds.
    await fixture.redis.zadd('retry', 'XX', Date.now() / 1000 - 1, retry!);
    await waitUntil(
      'the retry performed',
      async () => (await performedJobs(fixture.redis))[jid] !== undefined,
    );
    expect((await performedJobs(fixture.redis))[jid]).toEqual({ by: 'sidepunch', args: ['eight ms'] });
    expect(await runtime.stop('SIGTERM')).toBe(0);
  });

  it('is rescued from a crashed process byte for byte', async () => {
    const holding = SIDEKIQ8_PAYLOAD.replace('"class":"InteropFlaky"', '"class":"InteropHold"');
    await fixture.redis.multi().sadd('queues', 'default').lpush('queue:default', holding).exec();
    const crashed = fixture.run(['--heartbeat', '1', '--process-ttl', '2'], { registry: app.registry });
    await waitUntil(
      'the job running',
      async () => (await fixture.redis.sismember('interop:holding', 'eight ms')) === 1,
    );
    await crashed.stop('SIGKILL');

    // A process on another queue rescues it once the crashed one's heartbeat has expired.
    const rescuer = fixture.run(['--heartbeat', '1', '-q', 'other'], { registry: app.registry });
    await waitUntil(
      'the job back on its queue',
      async () => (await fixture.redis.llen('queue:default')) === 1,
    );
    expect(await fixture.redis.lrange('queue:default', 0, -1)).toEqual([holding]);
    expect(await rescuer.stop('SIGTERM')).toBe(0);
  });
});
