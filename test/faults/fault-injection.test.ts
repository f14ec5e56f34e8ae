/**
 * The fault-injection suite: real sidepunch-run processes, a real redis-server, real signals. Each test asserts
 * that no job is lost and prints its figures (collected in docs/reliability.md).
 */
import { describe, expect, it } from 'vitest';
import { Client, PushError } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';
import { type RuntimeProcess, waitUntil } from '../support/runtime-process.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const fixture = useRedis({ persistent: true });
const FAST_BEAT = ['--heartbeat', '0.25', '--process-ttl', '1', '--log-level', 'warn'];

function run(args: string[], url?: string): RuntimeProcess {
  return fixture.run([...FAST_BEAT, ...args], { url });
}

/** Starts runtimes one after another until the dead set holds a job; resolves to how many crashed. */
async function crashUntilDead(args: string[], attempts = 8): Promise<number> {
  let crashes = 0;
  for (let attempt = 0; attempt < attempts && (await fixture.redis.zcard('dead')) === 0; attempt++) {
    const runtime = run(args);
    const outcome = await Promise.race([
      runtime.exited.then(() => 'crashed'),
      waitUntil('the dead set', async () => (await fixture.redis.zcard('dead')) === 1, 30_000).then(
        () => 'dead',
      ),
    ]);
    if (outcome === 'crashed') crashes++;
    else await runtime.stop('SIGTERM');
  }
  return crashes;
}

function figure(text: string): void {
  console.log(`[fault] ${text}`);
}

describe('fault injection', () => {
  it('1. kill -9 in the middle of draining 20,000 jobs, then a new process: every job runs at least once', async () => {
    const client = new Client({ redis: fixture.server.url });
    const jids = await client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 20_000 }, () => ['ok', 'k9']),
    });
    await client.close();
    const first = run(['-c', '20']);
    await waitUntil('5,000 done', async () => (await fixture.redis.llen('probe:done:k9')) >= 5000, 60_000, 5);
    first.child.kill('SIGKILL');
    await first.exited;
    const doneAtKill = await fixture.redis.llen('probe:done:k9');
    const strandedAtKill = await fixture.inProgressTotal();
    run(['-c', '20']);
    await waitUntil(
      'every job',
      async () => new Set(await fixture.redis.lrange('probe:done:k9', 0, -1)).size === 20_000,
      60_000,
    );
    const done = await fixture.redis.lrange('probe:done:k9', 0, -1);
    expect(new Set(done)).toEqual(new Set(jids));
    await waitUntil('nothing left in progress', async () => (await fixture.inProgressTotal()) === 0);
    figure(
      `kill -9 at ${doneAtKill}/20000 done, ${strandedAtKill} in its in-progress list: 0 lost, ${done.length - 20_000} ran twice`,
    );
  });

  it('2. SIGTERM while 20 slow jobs run with -t 2: unfinished jobs back in their queue, 0 lost, exit 0', async () => {
    const client = new Client({ redis: fixture.server.url });
    const jids = await client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 20 }, () => ['slow', 30_000, 'term']),
    });
    await client.close();
    const runtime = run(['-c', '20', '-t', '2']);
    await waitUntil(
      '20 running',
      async () =>
        (await fixture.inProgressTotal()) === 20 && (await fixture.redis.llen('queue:default')) === 0,
    );
    const started = Date.now();
    expect(await runtime.stop('SIGTERM')).toBe(0);
    const seconds = (Date.now() - started) / 1000;
    const queued = (await fixture.redis.lrange('queue:default', 0, -1)).map((raw) => JSON.parse(raw).jid);
    expect(new Set(queued)).toEqual(new Set(jids));
    expect(await fixture.inProgressTotal()).toBe(0);
    figure(`SIGTERM with 20 running, -t 2: exit 0 after ${seconds.toFixed(1)} s, 20 requeued, 0 lost`);
  });

  it('3. Redis killed and restarted (appendonly) under load: every acknowledged enqueue is performed', async () => {
    run(['-c', '20']);
    const client = new Client({ redis: fixture.server.url });
    const acknowledged: string[] = [];
    const rejections: string[] = [];
    let producing = true;
    const producer = (async () => {
      let i = 0;
      while (producing) {
        try {
          acknowledged.push((await client.push({ class: 'Probe', args: ['ok', 'outage', i++] }))!);
        } catch (error) {
          expect(error).toBeInstanceOf(PushError);
          rejections.push((error as Error).message);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    })();
    await waitUntil('load', () => acknowledged.length >= 2000, 60_000, 10);
    await fixture.server.kill();
    await waitUntil('a rejected push', () => rejections.length > 0, 30_000, 10);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await fixture.server.restart();
    const pushedBefore = acknowledged.length;
    await waitUntil('pushes again', () => acknowledged.length > pushedBefore + 500, 60_000, 10);
    producing = false;
    await producer;
    await client.close();
    await waitUntil(
      'every acknowledged job',
      async () => new Set(await fixture.redis.lrange('probe:done:outage', 0, -1)).size >= acknowledged.length,
      60_000,
    );
    const done = new Set(await fixture.redis.lrange('probe:done:outage', 0, -1));
    for (const jid of acknowledged) expect(done.has(jid)).toBe(true);
    expect(rejections[0]).toMatch(
      /^could not save 1 job\(s\) to redis:\/\/127\.0\.0\.1:\d+\/0: Redis is unreachable/,
    );
    figure(
      `Redis SIGKILLed and restarted: ${acknowledged.length} acknowledged pushes all performed, ` +
        `${rejections.length} pushes rejected while down (e.g. "${rejections[0]}")`,
    );
  });

  it('4. the connection cut by a TCP proxy for 5 s: the runtime recovers without a restart', async () => {
    const proxy = await startTcpProxy(fixture.server.port);
    try {
      const runtime = run(['-c', '10', '--log-level', 'info'], proxy.url);
      const client = new Client({ redis: fixture.server.url });
      const before = await client.pushBulk({
        class: 'Probe',
        args: Array.from({ length: 500 }, () => ['slow', 5, 'cut']),
      });
      await waitUntil(
        'some done',
        async () => (await fixture.redis.llen('probe:done:cut')) >= 100,
        30_000,
        5,
      );
      const cut = proxy.cut(5000);
      const during = await client.pushBulk({
        class: 'Probe',
        args: Array.from({ length: 500 }, () => ['ok', 'cut']),
      });
      await cut;
      await waitUntil(
        'every job',
        async () => new Set(await fixture.redis.lrange('probe:done:cut', 0, -1)).size >= 1000,
        60_000,
      );
      await client.close();
      const done = await fixture.redis.lrange('probe:done:cut', 0, -1);
      expect(new Set(done)).toEqual(new Set([...before, ...during]));
      expect(runtime.output()).toMatch(/lost the connection to Redis/);
      expect(runtime.output()).toMatch(/connected to Redis at .* again/);
      expect(runtime.child.exitCode).toBeNull();
      figure(`5 s partition: 1000 jobs, 0 lost, ${done.length - 1000} recorded twice, no restart`);
    } finally {
      await proxy.close();
    }
  });

  it('5. a poison pill that crashes its process ends in the dead set after the allowed rescues', async () => {
    const client = new Client({ redis: fixture.server.url });
    const poison = await client.push({ class: 'Probe', args: ['crash'] });
    const crashes = await crashUntilDead(['--max-rescues', '2']);
    const good = await client.push({ class: 'Probe', args: ['ok', 'after-poison'] });
    await client.close();
    run([]);
    await waitUntil('the next job', async () => (await fixture.redis.llen('probe:done:after-poison')) === 1);
    const [dead] = await fixture.redis.zrange('dead', 0, -1);
    expect(JSON.parse(dead!)).toMatchObject({
      jid: poison,
      error_class: 'Sidepunch::ProcessCrashed',
      error_message: expect.stringMatching(
        /its process died while running it alone, after more than 2 rescue\(s\)/,
      ),
    });
    expect(crashes).toBe(3); // taken twice with others (then a suspect), then alone
    expect(await fixture.redis.lrange('probe:done:after-poison', 0, -1)).toEqual([good]);
    figure(`poison pill: ${crashes} crashed processes, then the dead set; the queue kept working`);
  });

  it('5b. a poison pill taken among 300 good jobs: only it reaches the dead set; every good job runs', async () => {
    const client = new Client({ redis: fixture.server.url });
    const good = await client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 150 }, () => ['ok', 'near']),
    });
    const poison = await client.push({ class: 'Probe', args: ['crash'] });
    good.push(
      ...(await client.pushBulk({ class: 'Probe', args: Array.from({ length: 150 }, () => ['ok', 'near']) })),
    );
    await client.close();
    const crashes = await crashUntilDead(['-c', '5', '--max-rescues', '2']);
    run(['-c', '5']);
    await waitUntil('every good job', async () => {
      return new Set(await fixture.redis.lrange('probe:done:near', 0, -1)).size === good.length;
    });
    const dead = (await fixture.redis.zrange('dead', 0, -1)).map((raw) => JSON.parse(raw).jid);
    expect(dead).toEqual([poison]);
    expect(new Set(await fixture.redis.lrange('probe:done:near', 0, -1))).toEqual(new Set(good));
    // Only the pill ever crashed a process alone: the good jobs' crashes near it count toward suspicion only.
    expect(await fixture.redis.keys('sidepunch:crashed-alone:*')).toHaveLength(1);
    figure(`poison pill among 300: ${crashes} crashes, 1 dead (the pill), 300 good jobs performed`);
  });

  it('6. 1,000 bad payloads among 10,000 good ones: each good job once, each malformed one dead, no stop', async () => {
    const client = new Client({ redis: fixture.server.url });
    const jids = await client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 10_000 }, () => ['ok', 'mixed']),
    });
    await client.close();
    const good = await fixture.redis.lrange('queue:default', 0, -1);
    await fixture.redis.del('queue:default');
    const kinds = [
      (i: number) => `{"class":"Probe","args":["ok"],"jid":"broken${i}"`,
      (i: number) => `[${i}]`,
      (i: number) => `{"args":[1],"jid":"noclass${i}"}`,
      (i: number) => `{"class":"Probe","jid":"noargs${i}"}`,
      (i: number) => `{"class":"Nowhere","args":[${i}],"jid":"unknown${i}"}`,
    ];
    const mixed: string[] = [];
    for (let i = 0; i < good.length; i++) {
      mixed.push(good[i]!);
      if (i % 10 === 0) mixed.push(kinds[(i / 10) % kinds.length]!(i));
    }
    await fixture.redis.lpush('queue:default', ...mixed.reverse());
    const runtime = run(['-c', '20']);
    await waitUntil(
      '10,000 good jobs',
      async () => (await fixture.redis.llen('probe:done:mixed')) >= 10_000,
      60_000,
    );
    // Malformed payloads die at once; an unknown class fails and is retried, as Sidekiq's NameError is (another
    // process may know it).
    await waitUntil(
      '800 dead, 200 retrying',
      async () => {
        const [dead, retrying] = await Promise.all([
          fixture.redis.zcard('dead'),
          fixture.redis.zcard('retry'),
        ]);
        return dead === 800 && retrying === 200;
      },
      30_000,
    );
    const done = await fixture.redis.lrange('probe:done:mixed', 0, -1);
    expect(done).toHaveLength(10_000);
    expect(new Set(done)).toEqual(new Set(jids));
    expect(runtime.child.exitCode).toBeNull();
    expect(await fixture.redis.llen('queue:default')).toBe(0);
    figure(
      '1,000 bad among 10,000: 10,000 performed once each, 800 malformed in the dead set, 200 of unknown class retrying, process still running',
    );
  });
});
