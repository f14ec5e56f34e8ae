import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT, type RuntimeProcess, startRuntime, waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();

async function identityOf(process: RuntimeProcess): Promise<string> {
  const line = await process.waitForLine(/identity=\S+/);
  return /identity=(\S+)/.exec(line)![1]!;
}

const FAST_BEAT = ['--heartbeat', '0.2', '--process-ttl', '1'];

describe('the heartbeat, in Sidekiq format', () => {
  it('registers the process, its info, and the jobs it runs under :workers and :work', async () => {
    const runtime = fixture.run([...FAST_BEAT, '-c', '4', '-g', 'api', '-q', 'a', '-q', 'b']);
    const identity = await identityOf(runtime);
    const jid = await fixture.client.push({ class: 'Probe', args: ['hang'], queue: 'b' });
    await waitUntil('busy 1', async () => (await fixture.redis.hget(identity, 'busy')) === '1');

    expect(await fixture.redis.smembers('processes')).toEqual([identity]);
    const hash = await fixture.redis.hgetall(identity);
    const info = JSON.parse(hash.info!);
    expect(info).toMatchObject({
      hostname: expect.any(String),
      started_at: expect.any(Number),
      pid: runtime.child.pid,
      tag: 'api',
      concurrency: 4,
      queues: ['a', 'b'],
      labels: expect.any(Array),
      identity,
      version: expect.stringMatching(/^sidepunch \d/),
    });
    expect(hash.quiet).toBe('false');
    expect(Number(hash.beat)).toBeGreaterThan(1.7e9);
    expect(Number(hash.rss)).toBeGreaterThan(1000);
    expect(Number(hash.rtt_us)).toBeGreaterThanOrEqual(0);
    expect(hash.concurrency).toBe('4');
    expect(await fixture.redis.ttl(identity)).toBeGreaterThan(0);
    for (const key of [`${identity}:workers`, `${identity}:work`]) {
      const entries = Object.values(await fixture.redis.hgetall(key)).map((value) => JSON.parse(value));
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ queue: 'b', run_at: expect.any(Number) });
      expect(Number.isInteger(entries[0].run_at)).toBe(true);
      expect(JSON.parse(entries[0].payload)).toMatchObject({ jid, class: 'Probe' });
    }
  });

  it('deregisters on a clean stop', async () => {
    const runtime = fixture.run([...FAST_BEAT]);
    const identity = await identityOf(runtime);
    await waitUntil('registered', async () => (await fixture.redis.sismember('processes', identity)) === 1);
    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(await fixture.redis.smembers('processes')).toEqual([]);
    expect(await fixture.redis.exists(`${identity}:workers`, `${identity}:work`)).toBe(0);
    expect(await fixture.redis.hgetall('sidepunch:process-queues')).toEqual({});
  });
});

describe('quiet and stop', () => {
  it('SIGTSTP makes the process quiet: running jobs finish, new ones stay queued', async () => {
    const runtime = fixture.run([...FAST_BEAT]);
    const identity = await identityOf(runtime);
    await fixture.client.push({ class: 'Probe', args: ['slow', 300, 'quiet'] });
    await runtime.waitForLine(/INFO: start/);
    runtime.child.kill('SIGTSTP');
    await runtime.waitForLine(/quiet: no new jobs/);
    await waitUntil(
      'quiet in the heartbeat',
      async () => (await fixture.redis.hget(identity, 'quiet')) === 'true',
    );
    await fixture.client.push({ class: 'Probe', args: ['ok', 'after-quiet'] });
    await waitUntil('the running job', async () => (await fixture.redis.llen('probe:done:quiet')) === 1);
    // Several heartbeats later the new job is still waiting.
    const beat = Number(await fixture.redis.hget(identity, 'beat'));
    await waitUntil(
      'two more beats',
      async () => Number(await fixture.redis.hget(identity, 'beat')) > beat + 0.3,
    );
    expect(await fixture.redis.llen('queue:default')).toBe(1);
    expect(runtime.child.exitCode).toBeNull();
  });

  it('a quiet process gives the jobs it had taken but not started back to their queue, for other processes', async () => {
    const runtime = fixture.run([...FAST_BEAT, '-c', '2']);
    const identity = await identityOf(runtime);
    const inProgress = `sidepunch:in-progress:{queue:default}:${identity}`;
    const jobs = 20;
    await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: jobs }, () => ['slow', 300, 'handed-back']),
    });
    // Two running, and more taken ahead of the free slots.
    await waitUntil('jobs taken ahead', async () => (await fixture.redis.llen(inProgress)) > 2);
    await fixture.redis.lpush(`${identity}-signals`, 'TSTP');
    await runtime.waitForLine(/quiet: no new jobs/);
    // Sidekiq's quiet process holds nothing but what runs: the rest is in the queue, where a Ruby process sees it.
    await waitUntil('only the running jobs held', async () => (await fixture.redis.llen(inProgress)) === 0);
    const done = await fixture.redis.llen('probe:done:handed-back');
    expect(done).toBeLessThanOrEqual(4);
    expect(await fixture.redis.llen('queue:default')).toBe(jobs - done);
    expect(runtime.child.exitCode).toBeNull();
    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(await fixture.redis.llen('queue:default')).toBe(jobs - done);
  });

  it('TSTP and TTIN while the runtime still loads neither freeze the process: it starts quiet', async () => {
    // Node's default for both stops the process; on a busy machine the runtime's modules take seconds to load.
    const runtime = startRuntime(
      fixture.server.url,
      [...FAST_BEAT, '-t', '1', `${REPO_ROOT}fixtures/registries/probe.mjs`],
      {
        NODE_OPTIONS: `--import=${REPO_ROOT}fixtures/hooks/slow-runtime-load.mjs`,
      },
    );
    const state = () => readFileSync(`/proc/${runtime.child.pid}/stat`, 'utf8').split(') ')[1]![0];
    try {
      await runtime.waitForLine(/test hook: loading the runtime/);
      runtime.child.kill('SIGTSTP');
      runtime.child.kill('SIGTTIN');
      await fixture.client.push({ class: 'Probe', args: ['ok', 'after-quiet'] });
      await runtime.waitForLine(/quiet: no new jobs/, 10_000);
      expect(state()).not.toBe('T');
      const identity = await identityOf(runtime);
      await waitUntil(
        'quiet in the heartbeat',
        async () => (await fixture.redis.hget(identity, 'quiet')) === 'true',
      );
      expect(await fixture.redis.llen('queue:default')).toBe(1);
      expect(await runtime.stop('SIGTERM')).toBe(0);
    } finally {
      runtime.child.kill('SIGCONT');
      runtime.child.kill('SIGKILL');
    }
  });

  it('TSTP and TERM through the signal list act as the Web UI buttons do', async () => {
    const runtime = fixture.run([...FAST_BEAT]);
    const identity = await identityOf(runtime);
    await fixture.redis.lpush(`${identity}-signals`, 'TSTP');
    await waitUntil('quiet', async () => (await fixture.redis.hget(identity, 'quiet')) === 'true');
    await fixture.redis.lpush(`${identity}-signals`, 'TERM');
    expect(await runtime.exited).toBe(0);
    expect(runtime.output()).toMatch(/TERM received through Redis/);
    expect(await fixture.redis.smembers('processes')).toEqual([]);
  });

  it('at shutdown a job that honours this.signal stops early and goes back to its queue unchanged', async () => {
    const runtime = fixture.run([...FAST_BEAT, '-t', '20']);
    const jid = await fixture.client.push({ class: 'Probe', args: ['abortable', 'sd'] });
    const [raw] = await fixture.redis.lrange('queue:default', 0, -1);
    await waitUntil('started', async () => (await fixture.redis.llen('probe:started:sd')) === 1);
    const stoppedAt = Date.now();
    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000); // did not wait for -t 20
    expect(await fixture.redis.lrange('probe:aborted:sd', 0, -1)).toEqual(['ShutdownRequested']);
    expect(await fixture.redis.lrange('queue:default', 0, -1)).toEqual([raw]);
    expect(await fixture.redis.zcard('retry')).toBe(0);
    expect(jid).toBeTruthy();
  });

  it("a worker's timeout aborts its signal and counts the run as failed, to be retried", async () => {
    fixture.run([...FAST_BEAT]);
    await fixture.client.push({ class: 'TimeBound', args: [5000], retry: 1 });
    await waitUntil('the retry', async () => (await fixture.redis.zcard('retry')) === 1);
    const [member] = await fixture.redis.zrange('retry', 0, -1);
    expect(JSON.parse(member!)).toMatchObject({
      error_class: 'JobTimeoutError',
      error_message: 'TimeBound ran longer than its timeout of 0.2 s',
      retry_count: 0,
    });
    await waitUntil(
      'the abort seen by the job',
      async () => (await fixture.redis.llen('probe:timebound:aborted')) === 1,
    );
    expect(await fixture.redis.lrange('probe:timebound:aborted', 0, -1)).toEqual(['JobTimeoutError']);
  });

  it('warns at start when the shutdown timeout outlasts the container stop grace period', async () => {
    const runtime = fixture.run(['-t', '25', '--container-grace', '10']);
    const line = await runtime.waitForLine(/WARN: shutdown timeout/);
    expect(line).toMatch(
      /-t 25\) is not shorter than the container's stop grace period \(10 s\).*use -t 5 or less/,
    );
  });
});
