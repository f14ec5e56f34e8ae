import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT, waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();
const FAST = ['--heartbeat', '0.25', '--process-ttl', '1', '--log-level', 'warn'];

describe('--threads', () => {
  it('runs K threads, each its own process in the process set, and performs every job once', async () => {
    const jids = await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 2000 }, () => ['ok', 't']),
    });
    const runtime = fixture.run([...FAST, '--threads', '2', '-c', '5']);
    await waitUntil('two threads registered', async () => (await fixture.redis.scard('processes')) === 2);
    const identities = await fixture.redis.smembers('processes');
    expect(new Set(identities.map((identity) => identity.split(':')[1]))).toEqual(
      new Set([String(runtime.child.pid)]),
    );
    for (const identity of identities) {
      expect(JSON.parse((await fixture.redis.hget(identity, 'info'))!)).toMatchObject({ concurrency: 5 });
    }
    await waitUntil('2,000 done', async () => (await fixture.redis.llen('probe:done:t')) >= 2000);
    const done = await fixture.redis.lrange('probe:done:t', 0, -1);
    expect(done).toHaveLength(2000);
    expect(new Set(done)).toEqual(new Set(jids));
    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(await fixture.redis.scard('processes')).toBe(0);
  });

  it('replaces a thread that dies, and its in-progress jobs are recovered', async () => {
    // A job that ends its thread: rescued once from the dead thread and run again (--max-rescues 1), then, after
    // killing a second thread, moved to the dead set. The pool replaces both threads and goes on working.
    const killer = await fixture.client.push({ class: 'Probe', args: ['exit-thread'] });
    const runtime = fixture.run([...FAST, '--threads', '2', '-c', '5', '--max-rescues', '1']);
    await waitUntil(
      'the killer in the dead set',
      async () => (await fixture.redis.zcard('dead')) === 1,
    ).catch(async (error) => {
      const where = await fixture.redis.keys('*');
      throw new Error(`${error.message}\nkeys: ${where.sort().join(' ')}\noutput:\n${runtime.output()}`);
    });
    expect(JSON.parse((await fixture.redis.zrange('dead', 0, -1))[0]!)).toMatchObject({
      jid: killer,
      error_class: 'Sidepunch::ProcessCrashed',
    });
    expect(runtime.output().match(/thread \d died \(exit code 3\); replacing it/g)).toHaveLength(2);
    expect(runtime.output()).toMatch(/rescued 1 job\(s\) left in progress by dead process/);
    const jids = await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 300 }, () => ['ok', 'td']),
    });
    await waitUntil(
      'every job',
      async () => new Set(await fixture.redis.lrange('probe:done:td', 0, -1)).size === 300,
    );
    expect(new Set(await fixture.redis.lrange('probe:done:td', 0, -1))).toEqual(new Set(jids));
    await waitUntil('two threads again', async () => (await fixture.redis.scard('processes')) === 2);
    expect(runtime.child.exitCode).toBeNull();
    await waitUntil('nothing left in progress', async () => (await fixture.inProgressTotal()) === 0);
  });

  it('SIGTERM while no thread is alive (all died, their replacements not yet started) ends the process', async () => {
    const runtime = fixture.run(['--threads', '2', '-t', '1'], {
      registry: `${REPO_ROOT}fixtures/registries/fails-in-threads.mjs`,
    });
    await waitUntil('both threads dead', () => (runtime.output().match(/thread \d died/g)?.length ?? 0) >= 2);
    runtime.child.kill('SIGTERM');
    // Within -t + 3 s, whatever happens.
    const late = new Promise((resolve) => setTimeout(() => resolve('still running 4 s after SIGTERM'), 4000));
    expect(await Promise.race([runtime.exited, late])).toBe(0);
  });

  it("SIGTERM while a job holds a thread's event loop: the thread is stopped after -t + 3 s and its job goes back to its queue", async () => {
    const runtime = fixture.run(['--threads', '2', '-t', '1', '--log-level', 'warn'], {
      registry: `${REPO_ROOT}fixtures/registries/busy.mjs`,
    });
    await waitUntil('two threads registered', async () => (await fixture.redis.scard('processes')) === 2);
    const jid = await fixture.client.push({ class: 'Busy', args: [60_000, 'held'] });
    await waitUntil('it runs', async () => (await fixture.redis.llen('probe:started:held')) === 1);
    const signalled = Date.now();
    runtime.child.kill('SIGTERM');
    const late = new Promise((resolve) =>
      setTimeout(() => resolve('still running 10 s after SIGTERM'), 10_000),
    );
    expect(await Promise.race([runtime.exited, late])).toBe(0);
    // -t 1 + 3 s, then the thread's termination and one round trip; not the 60 s the job would take.
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(4000);
    expect(runtime.output()).toMatch(
      /thread \d did not stop within -t 1 s \+ 3 s \(a job holds its event loop\)/,
    );
    expect(runtime.output()).toMatch(/thread \d: gave 1 job\(s\) back to the front of their queues/);
    const [queued] = await fixture.redis.lrange('queue:default', 0, -1);
    expect(JSON.parse(queued!)).toMatchObject({ jid, args: [60_000, 'held'] });
    expect(await fixture.inProgressTotal()).toBe(0);
    expect(await fixture.redis.scard('processes')).toBe(0);
    expect(await fixture.redis.llen('probe:done:held')).toBe(0);
  });
});

describe('--processes (swarm)', () => {
  it('SIGTERM stops every child gracefully and loses nothing', async () => {
    const jids = await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 100 }, () => ['slow', 200, 'sw']),
    });
    const runtime = fixture.run([...FAST, '--processes', '2', '-c', '5', '-t', '10']);
    await waitUntil('two children registered', async () => (await fixture.redis.scard('processes')) === 2);
    await waitUntil('some done', async () => (await fixture.redis.llen('probe:done:sw')) >= 10);
    expect(await runtime.stop('SIGTERM')).toBe(0);
    const done = await fixture.redis.lrange('probe:done:sw', 0, -1);
    const queued = (await fixture.redis.lrange('queue:default', 0, -1)).map((raw) => JSON.parse(raw).jid);
    expect(done.length + queued.length).toBe(100);
    expect(new Set([...done, ...queued])).toEqual(new Set(jids));
    expect(await fixture.inProgressTotal()).toBe(0);
    expect(await fixture.redis.scard('processes')).toBe(0);
  });

  it('SIGTERM while the children are still starting is a clean stop (exit 0)', async () => {
    const runtime = fixture.run(['--heartbeat', '0.25', '--process-ttl', '1', '--processes', '2']);
    // The supervisor has spawned them; they have not loaded the registry, so TERM's default action ends them.
    await runtime.waitForLine(/swarm: starting 2/);
    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(await fixture.redis.scard('processes')).toBe(0);
  });

  it('a child stopped from the Web UI is not restarted; once none is left, the supervisor exits 0', async () => {
    const runtime = fixture.run([...FAST, '--processes', '2', '--log-level', 'info']);
    await waitUntil('two children registered', async () => (await fixture.redis.scard('processes')) === 2);
    const [first, second] = await fixture.redis.smembers('processes');
    await fixture.redis.lpush(`${first}-signals`, 'TERM');
    await runtime.waitForLine(/child \d \(pid \d+\) stopped on purpose \(exit code 0\): not restarted/, 5000);
    // A restart would come 1 s after the exit: the other child beats four times meanwhile.
    const beat = Number(await fixture.redis.hget(second!, 'beat'));
    await waitUntil(
      'four more beats',
      async () => Number(await fixture.redis.hget(second!, 'beat')) > beat + 1.1,
    );
    expect(await fixture.redis.smembers('processes')).toEqual([second]);
    expect(runtime.output()).not.toMatch(/ERROR|restarting/);
    await fixture.redis.lpush(`${second}-signals`, 'TERM');
    expect(await runtime.exited).toBe(0);
    expect(runtime.output()).toMatch(/every child stopped on purpose: exiting/);
  });

  it('restarts a child that crashes, and its in-progress jobs are recovered', async () => {
    await fixture.client.push({ class: 'Probe', args: ['crash'] });
    const runtime = fixture.run([
      ...FAST,
      '--processes',
      '2',
      '-c',
      '5',
      '--max-rescues',
      '1',
      '--log-level',
      'info',
    ]);
    await waitUntil('the crasher in the dead set', async () => (await fixture.redis.zcard('dead')) === 1);
    expect(
      runtime.output().match(/child \d \(pid \d+\) exited with SIGKILL; restarting in 1 s/g),
    ).toHaveLength(2);
    const jids = await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 300 }, () => ['ok', 'sc']),
    });
    await waitUntil(
      'every job',
      async () => new Set(await fixture.redis.lrange('probe:done:sc', 0, -1)).size === 300,
    );
    expect(new Set(await fixture.redis.lrange('probe:done:sc', 0, -1))).toEqual(new Set(jids));
    await waitUntil('two children again', async () => (await fixture.redis.scard('processes')) === 2);
    expect(runtime.child.exitCode).toBeNull();
    expect(await runtime.stop('SIGTERM')).toBe(0);
  });

  it('SIGTERM after a child crashed, before its restart, stops the others and the supervisor (exit 0)', async () => {
    const runtime = fixture.run([...FAST, '--processes', '2', '-t', '1', '--log-level', 'info']);
    await waitUntil('two children registered', async () => (await fixture.redis.scard('processes')) === 2);
    await fixture.client.push({ class: 'Probe', args: ['crash'] });
    await runtime.waitForLine(/exited with SIGKILL; restarting in 1 s/);
    runtime.child.kill('SIGTERM');
    const late = new Promise((resolve) => setTimeout(() => resolve('still running 6 s after SIGTERM'), 6000));
    expect(await Promise.race([runtime.exited, late])).toBe(0);
    // No child restarted after the signal.
    const output = runtime.output();
    expect(output.slice(output.indexOf('SIGTERM received: stopping'))).not.toMatch(/sidepunch-run starting/);
  });
});

describe('--processes (swarm), a child held by a job', () => {
  it("SIGTERM while a job holds a child's event loop: the child is stopped after -t + 3 s and its job goes back to its queue", async () => {
    const runtime = fixture.run(['--processes', '2', '-t', '1', '--log-level', 'warn'], {
      registry: `${REPO_ROOT}fixtures/registries/busy.mjs`,
    });
    await waitUntil('two children registered', async () => (await fixture.redis.scard('processes')) === 2);
    const jid = await fixture.client.push({ class: 'Busy', args: [60_000, 'held'] });
    await waitUntil('it runs', async () => (await fixture.redis.llen('probe:started:held')) === 1);
    const signalled = Date.now();
    runtime.child.kill('SIGTERM');
    const late = new Promise((resolve) =>
      setTimeout(() => resolve('still running 10 s after SIGTERM'), 10_000),
    );
    expect(await Promise.race([runtime.exited, late])).toBe(0);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(4000);
    expect(runtime.output()).toMatch(
      /child \d \(pid \d+\) did not stop within -t 1 s \+ 3 s \(a job holds its event loop\)/,
    );
    expect(runtime.output()).toMatch(
      /child \d \(pid \d+\): gave 1 job\(s\) back to the front of their queues/,
    );
    const [queued] = await fixture.redis.lrange('queue:default', 0, -1);
    expect(JSON.parse(queued!)).toMatchObject({ jid, args: [60_000, 'held'] });
    expect(await fixture.inProgressTotal()).toBe(0);
    expect(await fixture.redis.scard('processes')).toBe(0);
  });
});

describe('a start-up failure in every thread or child', () => {
  it('a registry whose configureServer throws is one line and exit 1 with --threads and --processes, not a restart loop', async () => {
    const registry = `${REPO_ROOT}fixtures/registries/configure-throws.mjs`;
    for (const mode of [
      ['--threads', '2'],
      ['--processes', '2'],
    ]) {
      const runtime = fixture.run([...mode, '--log-level', 'warn'], { registry });
      const late = new Promise((resolve) => setTimeout(() => resolve('still running 15 s later'), 15_000));
      expect(await Promise.race([runtime.exited, late]), mode.join(' ')).toBe(1);
      const lines = runtime.output().split('\n');
      expect(lines).toContain(
        `sidepunch-run: ${registry}: configureServer threw Error: METRICS_TOKEN is not set`,
      );
      expect(runtime.output()).not.toMatch(/replacing it|restarting in|uncaught exception/);
      expect(await fixture.redis.scard('processes')).toBe(0);
    }
  });
});
