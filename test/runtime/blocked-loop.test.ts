/** A job that blocks the event loop for longer than the heartbeat TTL keeps its jobs: they run once. */
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT, waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();
const BUSY_REGISTRY = `${REPO_ROOT}fixtures/registries/busy.mjs`;
// A 2 s TTL: on a loaded machine a 1 s one expired while the heartbeat thread waited for a core.
const FAST_BEAT = ['--heartbeat', '0.25', '--process-ttl', '2', '--log-level', 'warn'];

describe('an event loop blocked by a job', () => {
  it('a job blocking its loop 4 s, past a 2 s process TTL, runs once beside another process, with a warning', async () => {
    const blocked = fixture.run(FAST_BEAT, { registry: BUSY_REGISTRY });
    await waitUntil('registered', async () => (await fixture.redis.scard('processes')) === 1);
    const jid = await fixture.client.push({ class: 'Busy', args: [4000, 'blocked'] });
    await waitUntil('it runs', async () => (await fixture.redis.llen('probe:started:blocked')) === 1);
    const other = fixture.run(FAST_BEAT, { registry: BUSY_REGISTRY });
    await waitUntil(
      'the other process is registered',
      async () => (await fixture.redis.scard('processes')) === 2,
    );
    await waitUntil(
      'it is done and nothing is left',
      async () =>
        (await fixture.redis.llen('probe:done:blocked')) >= 1 &&
        (await fixture.inProgressTotal()) === 0 &&
        (await fixture.redis.llen('queue:default')) === 0,
      20_000,
    );
    expect(await fixture.redis.lrange('probe:done:blocked', 0, -1)).toEqual([jid]);
    expect(await fixture.redis.lrange('probe:started:blocked', 0, -1)).toEqual([jid]);
    await blocked.waitForLine(/event loop blocked for \d+\.\d s/);
    expect(other.output()).not.toMatch(/rescued \d+ job/);
  });
});

describe('a thread of --threads blocked by a job', () => {
  it('keeps its heartbeat: the other thread does not rescue its job, which runs once', async () => {
    const pool = fixture.run([...FAST_BEAT, '--threads', '2'], { registry: BUSY_REGISTRY });
    await waitUntil('both threads registered', async () => (await fixture.redis.scard('processes')) === 2);
    const jid = await fixture.client.push({ class: 'Busy', args: [4000, 'thread'] });
    await waitUntil(
      'it is done and nothing is left',
      async () =>
        (await fixture.redis.llen('probe:done:thread')) >= 1 &&
        (await fixture.inProgressTotal()) === 0 &&
        (await fixture.redis.llen('queue:default')) === 0,
      20_000,
    );
    expect(await fixture.redis.lrange('probe:started:thread', 0, -1)).toEqual([jid]);
    await pool.waitForLine(/event loop blocked for \d+\.\d s/);
    expect(pool.output()).not.toMatch(/rescued \d+ job/);
  });
});

describe('an event loop blocked past --max-block', () => {
  it('counts as dead: its job is rescued and run by another process while it still runs it', async () => {
    const blocked = fixture.run([...FAST_BEAT, '--max-block', '1.5'], { registry: BUSY_REGISTRY });
    await waitUntil('registered', async () => (await fixture.redis.scard('processes')) === 1);
    const jid = await fixture.client.push({ class: 'Busy', args: [5000, 'stuck'] });
    await waitUntil('it runs', async () => (await fixture.redis.llen('probe:started:stuck')) === 1);
    const other = fixture.run(FAST_BEAT, { registry: BUSY_REGISTRY });
    await other.waitForLine(/rescued 1 job\(s\) left in progress by dead process/);
    await waitUntil(
      'both runs done',
      async () => (await fixture.redis.llen('probe:done:stuck')) === 2,
      20_000,
    );
    expect(await fixture.redis.lrange('probe:done:stuck', 0, -1)).toEqual([jid, jid]);
    expect(blocked.output()).toMatch(/event loop blocked for \d+\.\d s/);
  });
});
