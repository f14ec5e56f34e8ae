import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();
const FAST = ['--heartbeat', '0.25', '--process-ttl', '1', '-t', '1'];

async function identities(): Promise<string[]> {
  return fixture.redis.smembers('processes');
}

async function everyProcessQuiet(count: number): Promise<boolean> {
  const members = await identities();
  if (members.length !== count) return false;
  for (const identity of members) if ((await fixture.redis.hget(identity, 'quiet')) !== 'true') return false;
  return true;
}

/** Jobs pushed now stay queued while every process beats twice more. */
async function takesNoNewJob(): Promise<void> {
  await fixture.client.pushBulk({
    class: 'Probe',
    args: [
      ['ok', 'after-quiet'],
      ['ok', 'after-quiet'],
    ],
  });
  const beats = async () =>
    Promise.all(
      (await identities()).map(async (identity) => Number(await fixture.redis.hget(identity, 'beat'))),
    );
  const before = await beats();
  await waitUntil('two more beats of each', async () =>
    (await beats()).every((beat, i) => beat > before[i]! + 0.4),
  );
  expect(await fixture.redis.llen('probe:done:after-quiet')).toBe(0);
}

describe('TSTP holds for what a supervisor starts afterwards', () => {
  it('--threads: a thread that dies after TSTP is replaced quiet', async () => {
    const runtime = fixture.run([...FAST, '--threads', '2']);
    await fixture.client.push({ class: 'Probe', args: ['exit-thread', 1000] });
    await runtime.waitForLine(/INFO: start$/);
    const before = await identities();
    runtime.child.kill('SIGTSTP');
    await waitUntil('both threads quiet', () => everyProcessQuiet(2));
    await runtime.waitForLine(/thread \d died/);
    await waitUntil('the replacement registered', async () =>
      (await identities()).some((identity) => !before.includes(identity)),
    );
    await waitUntil('every thread quiet', () => everyProcessQuiet(2), 3000);
    await takesNoNewJob();
  });

  it('--processes: a child that crashes after TSTP is restarted quiet', async () => {
    const runtime = fixture.run([...FAST, '--processes', '2']);
    await waitUntil('two children', async () => (await identities()).length === 2);
    runtime.child.kill('SIGTSTP');
    await waitUntil('both children quiet', () => everyProcessQuiet(2));
    const before = await identities();
    process.kill(Number(before[0]!.split(':').at(-2)), 'SIGKILL');
    await runtime.waitForLine(/exited with SIGKILL; restarting/);
    await waitUntil('the restarted child registered', async () =>
      (await identities()).some((identity) => !before.includes(identity)),
    );
    await waitUntil('every child quiet', () => everyProcessQuiet(2), 3000);
    await takesNoNewJob();
  });
});
