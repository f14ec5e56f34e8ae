/**
 * Slow jobs finish one at a time. Each success used to be written alone, a MULTI of about seven commands a job
 * (seen: 7.4 Redis commands a job for 1-second jobs at -c 10, against Sidekiq's 1.0); while other jobs still run,
 * a plain success now waits to share a write with theirs (completer.ts step 6), and the last running job's outcome
 * writes everything at once, so a drain's end is not delayed. Anything else to write goes at once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
/** Long enough that only the rule under test, never the timer, ends a wait. */
const LINGER_MS = 60_000;

/** Jobs that run until the test lets them finish: `release(true)` makes one fail. */
const held: ((fail?: boolean) => void)[] = [];
let holding = true;
class Held {
  perform(_n: number): Promise<void> {
    if (!holding) return Promise.resolve();
    return new Promise((resolve, reject) =>
      held.push((fail) => (fail ? reject(new Error('the API said no')) : resolve())),
    );
  }
}

let runtime: InProcessRuntime | undefined;
beforeEach(() => {
  holding = true;
});
afterEach(async () => {
  holding = false;
  for (const release of held.splice(0)) release();
  await runtime?.stop();
  runtime = undefined;
});

/** Four held jobs running at -c 4, with every write counted. */
async function fourRunning() {
  await fixture.client.pushBulk({ class: 'Held', args: [[1], [2], [3], [4]] });
  let started = 0;
  runtime = startInProcess(fixture.server.url, { Held }, { concurrency: 4, lingerMs: LINGER_MS });
  const allStarted = runtime.next('job:start', () => ++started === 4);
  await allStarted;
  const writes: number[] = [];
  runtime.launcher.events.on('complete:flushed', ({ count }) => writes.push(count));
  return writes;
}

/** A write the completer would start for what finished so far (at the next turn) has reached Redis. */
async function pastAnyWrite(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await fixture.redis.ping();
}

/** Lets the oldest held job finish (or fail) and waits for its outcome. */
async function finishOne(fail = false): Promise<void> {
  const outcome = runtime!.next(fail ? 'job:failed' : 'job:done');
  held.shift()!(fail);
  await outcome;
}

describe('slow jobs finishing one at a time', () => {
  it('share one write, sent as soon as the last running job finishes', async () => {
    const writes = await fourRunning();
    for (let i = 0; i < 3; i++) await finishOne();
    await pastAnyWrite();
    expect(await fixture.redis.get('stat:processed')).toBeNull(); // each used to be written alone

    const written = runtime!.next('complete:flushed');
    await finishOne();
    expect(await written).toMatchObject({ count: 4 });
    expect(writes).toEqual([4]);
    expect(await fixture.redis.get('stat:processed')).toBe('4');
    const inProgress = await fixture.redis.keys('*inprogress*');
    for (const key of inProgress) expect(await fixture.redis.llen(key)).toBe(0);
  }, 30_000);

  it('write a failure at once, with the successes waiting beside it', async () => {
    const writes = await fourRunning();
    await finishOne();
    await pastAnyWrite();
    expect(writes).toEqual([]);
    expect(await fixture.redis.get('stat:processed')).toBeNull();

    const written = runtime!.next('complete:flushed');
    await finishOne(true);
    expect(await written).toMatchObject({ count: 2 });
    expect(writes).toEqual([2]);
    expect(await fixture.redis.zcard('retry')).toBe(1);
    expect(await fixture.redis.get('stat:processed')).toBe('2');
    expect(await fixture.redis.get('stat:failed')).toBe('1');
  }, 30_000);
});
