/**
 * The proofs issue #23 asks for, on real `sidepunch-run` processes, printing their figures:
 *  - a batch of 10,000 no-op jobs over four processes, 1% failing once then succeeding, one process killed -9
 *    mid-batch: on-complete and on-success each run exactly once, every job counted;
 *  - a batch with a job that dies: on-death once, on-complete once, on-success never;
 *  - a process killed -9 inside a job's `this.batch.jobs` block: the job's rerun adds its jobs again, and on-complete
 *    and on-success still run once each.
 */
import { describe, expect, it } from 'vitest';
import type { BatchCallbackInfo } from '../../runtime/core/batch-scope.js';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT, waitUntil } from '../support/runtime-process.js';

const REGISTRY = `${REPO_ROOT}fixtures/registries/batches.mjs`;
const FAST = [
  '-c',
  '20',
  '--poll-interval',
  '0.2',
  '--heartbeat',
  '0.25',
  '--process-ttl',
  '1',
  '--log-level',
  'warn',
];
const fixture = useRedis();

const callback = (name: string) => ({ className: 'BatchCallback', options: {}, args: [name] });

async function callbacks(): Promise<{ name: string; status: BatchCallbackInfo }[]> {
  return (await fixture.redis.lrange('probe:batch-callbacks', 0, -1)).map((raw) => JSON.parse(raw));
}

/** The processes are up once their heartbeats are (they log only warnings). */
async function fleetUp(count: number): Promise<void> {
  await waitUntil(
    `${count} heartbeats`,
    async () => (await fixture.redis.scard('processes')) === count,
    30_000,
  );
}

/** Every queue, the retry set and the schedule empty, and no process holding a job. */
async function quiet(): Promise<boolean> {
  const [queued, retries, inProgress] = await Promise.all([
    fixture.redis.llen('queue:default'),
    fixture.redis.zcard('retry'),
    fixture.redis.keys('sidepunch:in-progress:*'),
  ]);
  let held = 0;
  for (const key of inProgress) held += await fixture.redis.llen(key);
  return queued + retries + held === 0;
}

describe('batches across a fleet of real processes', () => {
  it('10,000 jobs on four processes, 1% failing once, one process killed -9 mid-batch: complete and success once each', async () => {
    const processes = [1, 2, 3, 4].map(() => fixture.run(FAST, { registry: REGISTRY }));
    await fleetUp(processes.length);
    const batch = fixture.client.batch({
      description: '10,000 no-ops',
      onComplete: callback('complete'),
      onSuccess: callback('success'),
    });
    const started = Date.now();
    // The 100 failing ones first: their retries (0.1 s plus Sidekiq's jitter of up to 9 s) overlap the rest.
    const args = Array.from({ length: 10_000 }, (_, i) => [i < 100 ? 'fail-once' : 'ok', i]);
    await batch.jobs(() => fixture.client.pushBulk({ class: 'BatchItem', args }));
    const pushedMs = Date.now() - started;
    const pending = () => fixture.redis.scard(`sidepunch:batch:${batch.bid}:pending`);
    await waitUntil('a third of the batch done', async () => (await pending()) <= 6_700, 15_000);
    const pendingAtKill = await pending();
    const victim = processes[0]!;
    expect(await victim.stop('SIGKILL')).toBe('SIGKILL');
    // What it held, taken and not acknowledged: the rescuer gives these back, and they run (and count) once.
    let heldAtKill = 0;
    for (const key of await fixture.redis.keys(`sidepunch:in-progress:*:${victim.child.pid}:*`))
      heldAtKill += await fixture.redis.llen(key);
    await waitUntil('on-complete', async () => (await callbacks()).length > 0, 18_000);
    const completeMs = Date.now() - started;
    await waitUntil(
      'the success callback',
      async () => (await callbacks()).some(({ name }) => name === 'success'),
      18_000,
    );
    const doneMs = Date.now() - started;
    await waitUntil('the fleet quiet', quiet, 5_000);
    const ran = await callbacks();
    const record = await fixture.redis.hgetall(`sidepunch:batch:${batch.bid}`);
    const complete = ran.filter(({ name }) => name === 'complete');
    const success = ran.filter(({ name }) => name === 'success');
    console.log(
      `batch of 10,000 on 4 processes (one killed -9 with ${pendingAtKill} pending, holding ${heldAtKill} to rescue; 100 failing once): pushed in ` +
        `${pushedMs} ms, on-complete after ${(completeMs / 1000).toFixed(1)} s, on-success after ${(doneMs / 1000).toFixed(1)} s; on-complete ran ${complete.length}× ` +
        `(status pending ${complete[0]?.status.pending}, failures ${complete[0]?.status.failures}), on-success ran ` +
        `${success.length}× (total ${success[0]?.status.total}); stat:processed ${await fixture.redis.get('stat:processed')}`,
    );
    expect(complete).toHaveLength(1);
    expect(success).toHaveLength(1);
    expect(success[0]!.status).toMatchObject({ total: 10_000, pending: 0, failures: 0 });
    expect(record.total).toBe('10000');
    expect(await pending()).toBe(0);
  }, 30_000);

  it('a batch with a job that dies: on-death once, on-complete once, on-success never', async () => {
    const processes = [1, 2].map(() => fixture.run(FAST, { registry: REGISTRY }));
    await fleetUp(processes.length);
    const batch = fixture.client.batch({
      description: 'one dies',
      onComplete: callback('complete'),
      onSuccess: callback('success'),
      onDeath: callback('death'),
    });
    await batch.jobs(async () => {
      await fixture.client.pushBulk({
        class: 'BatchItem',
        args: Array.from({ length: 200 }, (_, i) => ['ok', i]),
      });
      // As a stub pushes it: the class's options (retry: 0) are on the payload.
      await fixture.client.push({ class: 'BatchDies', args: [], retry: 0 });
    });
    await waitUntil('on-complete and on-death', async () => (await callbacks()).length >= 2, 10_000);
    await waitUntil('the fleet quiet', quiet, 5_000);
    const ran = await callbacks();
    const names = ran.map(({ name }) => name).sort();
    const death = ran.find(({ name }) => name === 'death');
    console.log(
      `batch of 201 with one job that dies: callbacks ran ${names.join(', ')} (death status: pending ` +
        `${death?.status.pending}, failures ${death?.status.failures}); dead set ${await fixture.redis.zcard('dead')}`,
    );
    expect(names).toEqual(['complete', 'death']);
    expect(await fixture.redis.hexists(`sidepunch:batch:${batch.bid}`, 'success_at')).toBe(0);
  }, 20_000);

  it('a process killed -9 inside a job adding to its own batch: complete and success still run once each', async () => {
    const victim = fixture.run(FAST, { registry: REGISTRY });
    await fleetUp(1);
    const batch = fixture.client.batch({
      description: 'grows, then its process dies',
      onComplete: callback('complete'),
      onSuccess: callback('success'),
    });
    await batch.jobs(() => fixture.client.push({ class: 'BatchGrow', args: [1] }));
    await waitUntil(
      'the job inside its block',
      async () => (await fixture.redis.llen('probe:grow-inside')) > 0,
      10_000,
    );
    expect(await victim.stop('SIGKILL')).toBe('SIGKILL');
    // A second process rescues the job; its rerun adds its job again and leaves the block.
    fixture.run(FAST, { registry: REGISTRY });
    await waitUntil(
      'the success callback',
      async () => (await callbacks()).some(({ name }) => name === 'success'),
      15_000,
    );
    await waitUntil('the fleet quiet', quiet, 5_000);
    const ran = await callbacks();
    const record = await fixture.redis.hgetall(`sidepunch:batch:${batch.bid}`);
    console.log(
      `batch whose job was killed -9 inside this.batch.jobs: callbacks ran ${ran.map(({ name }) => name).join(', ')}` +
        ` (success status total ${ran.find(({ name }) => name === 'success')?.status.total}); open ${record.open}`,
    );
    expect(ran.map(({ name }) => name).sort()).toEqual(['complete', 'success']);
    // The job, the item its killed run added, and the one its rerun added.
    expect(ran.find(({ name }) => name === 'success')!.status).toMatchObject({ total: 3, pending: 0 });
    expect(record.open).toBe('0');
  }, 30_000);
});
