/**
 * Errors that escape perform's own promise (thrown from a timer, a rejection nobody awaits, an 'error' event with no
 * listener) reach only the process-level handlers. When Node can tell which job's code caused one, that job fails
 * and is retried while the process and the jobs beside it go on; when it cannot, the process gives every job it
 * holds back to its queue at once and exits non-zero. Real sidepunch-run processes and a real redis-server.
 */
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT, type RuntimeProcess, waitUntil } from '../support/runtime-process.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const fixture = useRedis();
const UNRULY = `${REPO_ROOT}fixtures/registries/unruly.mjs`;

function run(args: string[] = []): RuntimeProcess {
  return fixture.run(['-c', '5', ...args], { registry: UNRULY });
}

async function retryEntry(): Promise<any> {
  await waitUntil('a job in the retry set', async () => (await fixture.redis.zcard('retry')) === 1);
  return JSON.parse((await fixture.redis.zrange('retry', 0, 0))[0]!);
}

async function doneCount(tag: string): Promise<number> {
  return fixture.redis.llen(`unruly:done:${tag}`);
}

describe('an error that escapes perform, blamed on the job that caused it', () => {
  const cases = [
    {
      what: 'an exception thrown from a timer',
      job: { class: 'TimerThrow', args: ['during'] },
      error: { error_class: 'TypeError', error_message: 'thrown from a timer during perform' },
    },
    {
      what: 'a rejected promise nobody awaits',
      job: { class: 'LeavesRejection', args: [] },
      error: { error_class: 'RangeError', error_message: 'a rejection nobody awaited' },
    },
    {
      what: "an 'error' event with no listener",
      job: { class: 'EmitterError', args: [] },
      error: { error_class: 'Error', error_message: 'an error event with no listener' },
    },
  ];
  for (const { what, job, error } of cases) {
    it(`${what} fails that job, which is retried; the process and the jobs beside it go on`, async () => {
      const runtime = run();
      await fixture.client.pushBulk({
        class: 'Steady',
        args: [
          [800, 'beside'],
          [800, 'beside'],
        ],
      });
      const jid = await fixture.client.push(job);

      expect(await retryEntry()).toMatchObject({ jid, retry_count: 0, ...error });
      await waitUntil('the jobs beside it', async () => (await doneCount('beside')) === 2);
      await waitUntil('counted', async () => (await fixture.redis.get('stat:processed')) === '3');
      expect(await fixture.redis.get('stat:failed')).toBe('1');
      expect(await fixture.redis.keys('sidepunch:in-progress:*')).toEqual([]);
      expect(runtime.child.exitCode).toBeNull();
      expect(runtime.output()).toMatch(
        new RegExp(`jid=${jid} elapsed=\\S+ WARN: fail: ${error.error_class}: ${error.error_message}`),
      );

      const next = await fixture.client.push({ class: 'Steady', args: [0, 'after'] });
      await waitUntil('the next job', async () => (await doneCount('after')) === 1);
      expect(await fixture.redis.lrange('unruly:done:after', 0, -1)).toEqual([next]);
    });
  }

  it('an exception from a timer of a job that already finished is logged with its class and jid; nothing fails', async () => {
    const runtime = run();
    const jid = await fixture.client.push({ class: 'TimerThrow', args: ['after'] });
    await runtime.waitForLine(
      new RegExp(`class=TimerThrow jid=${jid} ERROR: .*already finished.*thrown from a timer`),
    );
    await waitUntil('counted', async () => (await fixture.redis.get('stat:processed')) === '1');
    expect(await fixture.redis.get('stat:failed')).toBeNull();
    expect(await fixture.redis.zcard('retry')).toBe(0);
    await fixture.client.push({ class: 'Steady', args: [0, 'after'] });
    await waitUntil('the next job', async () => (await doneCount('after')) === 1);
    expect(runtime.child.exitCode).toBeNull();
  });

  it('a job that throws from a timer every time goes through its retries to the dead set; one process throughout', async () => {
    const runtime = run(['--poll-interval', '0.1']);
    const jid = await fixture.client.push({ class: 'AlwaysTimerThrow', args: [], retry: 2 });
    for (let retry = 0; retry < 2; retry++) {
      let member = '';
      await waitUntil(`retry ${retry} in the retry set`, async () => {
        member = (await fixture.redis.zrange('retry', 0, 0))[0] ?? '';
        return member !== '' && JSON.parse(member).retry_count === retry;
      });
      expect(JSON.parse(member)).toMatchObject({ jid, error_message: 'thrown from a timer, every time' });
      // Due now, so the poller puts it back on its queue without waiting out the backoff.
      await fixture.redis.zadd('retry', 0, member);
    }
    await waitUntil('the dead set', async () => (await fixture.redis.zcard('dead')) === 1);
    const dead = JSON.parse((await fixture.redis.zrange('dead', 0, 0))[0]!);
    expect(dead).toMatchObject({ jid, retry_count: 2, error_message: 'thrown from a timer, every time' });
    expect(await fixture.redis.get('unruly:timer-runs')).toBe('3');
    expect(await fixture.redis.get('stat:failed')).toBe('3');
    expect(await fixture.redis.zcard('retry')).toBe(0);
    expect(runtime.output()).toMatch(/retries exhausted after 3 run\(s\); moved to the dead set/);
    expect(runtime.child.exitCode).toBeNull();
  });

  it('in a --threads worker thread, a timer exception fails its job and the thread goes on', async () => {
    const runtime = run(['--threads', '2']);
    await fixture.client.pushBulk({
      class: 'Steady',
      args: [
        [500, 'beside'],
        [500, 'beside'],
      ],
    });
    const jid = await fixture.client.push({ class: 'TimerThrow', args: ['during'] });
    expect(await retryEntry()).toMatchObject({ jid, error_class: 'TypeError' });
    await waitUntil('the jobs beside it', async () => (await doneCount('beside')) === 2);
    expect(runtime.output()).not.toMatch(/died/);
    expect(runtime.child.exitCode).toBeNull();
  });
});

describe('an error that escapes perform and cannot be blamed on any job', () => {
  it('gives every job the process holds back to its queue at once, flushes the log and exits 1', async () => {
    const runtime = run(['--log-level', 'info']);
    const long = await fixture.client.pushBulk({
      class: 'Steady',
      args: [
        [60_000, 'long'],
        [60_000, 'long'],
        [60_000, 'long'],
      ],
    });
    await waitUntil('3 jobs running', () => (runtime.output().match(/INFO: start/g)?.length ?? 0) === 3);
    const started = Date.now();
    await fixture.client.push({ class: 'BackgroundCrash', args: [] });

    expect(await runtime.exited).toBe(1);
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeLessThan(10);
    const queued = (await fixture.redis.lrange('queue:default', 0, -1)).map((raw) => JSON.parse(raw).jid);
    expect(new Set(queued)).toEqual(new Set(long));
    expect(await fixture.redis.keys('sidepunch:in-progress:*')).toEqual([]);
    const output = runtime.output();
    expect(output).toMatch(/ERROR: uncaught exception outside any job: Error: a background timer threw/);
    expect(output).toMatch(/requeued 3 unfinished job\(s\)/);
    expect(output).toMatch(/INFO: bye/);
    console.log(
      `[uncaught] unattributable error: 3 running jobs back in their queue, exit 1 after ${seconds.toFixed(2)} s`,
    );
  });

  it('with Redis unreachable, it still exits 1 within a few seconds; the jobs stay in progress for a rescuer', async () => {
    const proxy = await startTcpProxy(fixture.server.port);
    try {
      const runtime = fixture.run(['-c', '5'], { registry: UNRULY, url: proxy.url });
      const long = await fixture.client.pushBulk({
        class: 'Steady',
        args: [
          [60_000, 'long'],
          [60_000, 'long'],
        ],
      });
      await fixture.client.push({ class: 'BackgroundCrash', args: [1000] });
      await waitUntil('3 jobs started', () => (runtime.output().match(/INFO: start/g)?.length ?? 0) === 3);
      const cut = proxy.cut(8000);
      await runtime.waitForLine(/uncaught exception outside any job/);
      const crashed = Date.now();
      expect(await runtime.exited).toBe(1);
      const seconds = (Date.now() - crashed) / 1000;
      expect(seconds).toBeLessThan(8);
      console.log(
        `[uncaught] unattributable error with Redis unreachable: exit 1 after ${seconds.toFixed(2)} s`,
      );
      await cut;
      const [inProgress] = await fixture.redis.keys('sidepunch:in-progress:*');
      const held = (await fixture.redis.lrange(inProgress!, 0, -1)).map((raw) => JSON.parse(raw).jid);
      expect(held).toEqual(expect.arrayContaining(long));
    } finally {
      await proxy.close();
    }
  });

  it('in a --threads worker thread, the thread gives its jobs back and is replaced; the process goes on', async () => {
    const runtime = run(['--threads', '2']);
    await fixture.client.pushBulk({
      class: 'Steady',
      args: [
        [60_000, 'long'],
        [60_000, 'long'],
      ],
    });
    await waitUntil('2 jobs running', () => (runtime.output().match(/INFO: start/g)?.length ?? 0) >= 2);
    await fixture.client.push({ class: 'BackgroundCrash', args: [] });
    await runtime.waitForLine(/thread \d died \(exit code 1\)/);
    expect(runtime.output()).toMatch(/uncaught exception outside any job/);
    expect(runtime.output()).toMatch(/requeued \d+ unfinished job\(s\)/);
    expect(runtime.child.exitCode).toBeNull();
  });
});
