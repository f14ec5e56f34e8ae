/**
 * A push to a Redis that does not answer (frozen, or a silent network) rejects with a PushError after the client's
 * push timeout instead of waiting for as long as the fault lasts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, close, configure, PushError, workerStub } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();

/** Freezes the fixture's redis-server (SIGSTOP) for `during`, then wakes it (SIGCONT) whatever happens. */
async function whileFrozen(during: () => Promise<void>): Promise<void> {
  const info = await fixture.redis.info('server');
  const pid = Number(/process_id:(\d+)/.exec(info)![1]);
  process.kill(pid, 'SIGSTOP');
  try {
    await during();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

/** The push's rejection and how long it took; a push still pending after 10 s counts as hung. */
async function timed(push: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('still pending after 10 s'), 10_000);
  });
  const error = await Promise.race([
    push().then(
      () => 'resolved',
      (reason: unknown) => reason,
    ),
    hung,
  ]);
  clearTimeout(timer);
  return { error, ms: performance.now() - started };
}

afterEach(() => close());

describe('the push timeout', () => {
  it('push, pushBulk and a scheduled push to a frozen Redis reject with PushError after pushTimeout; after it wakes, pushes work', async () => {
    const client = new Client({ redis: fixture.server.url, pushTimeout: 0.5 });
    await client.push({ class: 'Probe', args: ['ok'] }); // connected before the freeze
    await whileFrozen(async () => {
      for (const push of [
        () => client.push({ class: 'Probe', args: ['ok'] }),
        () => client.pushBulk({ class: 'Probe', args: [['ok'], ['ok']] }),
        () => client.push({ class: 'Probe', args: ['ok'], in: 60 }),
      ]) {
        const { error, ms } = await timed(push);
        expect(error).toBeInstanceOf(PushError);
        expect((error as Error).message).toMatch(
          /could not save \d job\(s\) to redis:\/\/127\.0\.0\.1:\d+\/0: no reply from Redis within 0\.5 s/,
        );
        expect(ms).toBeGreaterThanOrEqual(450);
        expect(ms).toBeLessThan(2_000);
      }
    });
    expect(await client.push({ class: 'Probe', args: ['after'] })).toMatch(/^[0-9a-f]{24}$/);
    await client.close();
  });

  it('the stubs through configure(): performAsync, performIn, performAt and performBulk reject with PushError', async () => {
    configure({ redis: fixture.server.url, pushTimeout: 0.5 });
    const stub = workerStub<[string]>('Probe');
    await stub.performAsync('before');
    await whileFrozen(async () => {
      for (const push of [
        () => stub.performAsync('ok'),
        () => stub.performIn(60, 'ok'),
        () => stub.performAt(new Date(Date.now() + 60_000), 'ok'),
        () => stub.performBulk([['a'], ['b']]),
      ]) {
        const { error, ms } = await timed(push);
        expect(error).toBeInstanceOf(PushError);
        expect(ms).toBeLessThan(2_000);
      }
    });
    expect(await stub.performIn(60, 'after')).toMatch(/^[0-9a-f]{24}$/);
  });

  it('by default a push gives up after 5 s', async () => {
    const client = new Client({ redis: fixture.server.url });
    await client.push({ class: 'Probe', args: ['ok'] });
    await whileFrozen(async () => {
      const { error, ms } = await timed(() => client.push({ class: 'Probe', args: ['ok'] }));
      console.log(`default push timeout: PushError after ${(ms / 1000).toFixed(1)} s`);
      expect(error).toBeInstanceOf(PushError);
      expect((error as Error).message).toMatch(/no reply from Redis within 5 s/);
      expect(ms).toBeLessThan(7_000);
    });
    await client.close();
  });

  it('a first push to a Redis frozen before the client connected rejects too', async () => {
    const client = new Client({ redis: fixture.server.url, pushTimeout: 0.5 });
    await whileFrozen(async () => {
      const { error, ms } = await timed(() => client.push({ class: 'Probe', args: ['ok'] }));
      expect(error).toBeInstanceOf(PushError);
      expect(ms).toBeLessThan(2_000);
    });
    await client.close();
  });

  it('pushTimeout must be a positive number of seconds', () => {
    expect(() => new Client({ pushTimeout: 0 })).toThrow(
      /pushTimeout must be a number of seconds above 0, not 0/,
    );
    // Node fires a longer timer after 1 ms: every push would reject at once, though Redis saved it.
    expect(() => new Client({ pushTimeout: 3e6 })).toThrow(
      'sidepunch: pushTimeout must be a number of seconds above 0 and at most 2147483 (about 24.8 days, the longest a Node timer waits), not 3000000',
    );
    expect(() => new Client({ pushTimeout: 2_147_483 })).not.toThrow();
  });
});
