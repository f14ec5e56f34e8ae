/** Rescuing the jobs of dead processes: one rescuer at a time, and quickly when the dead process was on this host. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keys } from '../../runtime/redis/keys.js';
import { withScripts } from '../../runtime/redis/scripts.js';
import { RescueLock } from '../../runtime/server/rescue-lock.js';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();

describe('the rescue lock', () => {
  it('a rescuer whose lock expired and was taken by another does not release the other one', async () => {
    const redis = withScripts(fixture.server.connect());
    const keys = Keys.for(redis);
    const slow = new RescueLock({ redis, keys, identity: 'host:1:slow' }, 'host:9:dead', 50);
    const next = new RescueLock({ redis, keys, identity: 'host:2:next' }, 'host:9:dead');
    expect(await slow.acquire()).toBe(true);
    expect(await next.acquire()).toBe(false);
    await waitUntil('the slow rescuer to outlast its lock', async () => (await next.acquire()) === true);
    await slow.release();
    expect(await redis.get(keys.rescueLock('host:9:dead'))).toBe('host:2:next');
    await next.release();
    expect(await redis.exists(keys.rescueLock('host:9:dead'))).toBe(0);
  });
});

describe('a rescuer that died half-way', () => {
  it('does not hold up the rest of the rescue until its lock expires', async () => {
    // A dead process's list, and the lock of a rescuer that died with it (no heartbeat): as a crash loop leaves them.
    const jid = await fixture.client.push({ class: 'Probe', args: ['ok', 'taken-over'] });
    const dead = 'gone-host:1:dead';
    await fixture.redis.lmove(
      'queue:default',
      `sidepunch:in-progress:{queue:default}:${dead}`,
      'RIGHT',
      'LEFT',
    );
    await fixture.redis.hset('sidepunch:process-queues', dead, '["default"]');
    await fixture.redis.set(`sidepunch:rescuing:${dead}`, 'gone-host:2:rescuer', 'PX', 30_000);
    const started = Date.now();
    fixture.run(['--log-level', 'warn']);
    await waitUntil('the job', async () => (await fixture.redis.llen('probe:done:taken-over')) === 1, 15_000);
    expect(await fixture.redis.lrange('probe:done:taken-over', 0, -1)).toEqual([jid]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('a process killed on this host', () => {
  it('a restarted worker gives back its predecessor’s running jobs within seconds, with the default heartbeat', async () => {
    const jids = await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 5 }, () => ['slow', 2000, 'restart']),
    });
    const first = fixture.run(['-c', '5', '--log-level', 'warn']);
    await waitUntil('5 running', async () => (await fixture.inProgressTotal()) === 5);
    first.child.kill('SIGKILL');
    await first.exited;
    const restarted = Date.now();
    const second = fixture.run(['-c', '5']);
    await second.waitForLine(/rescued 5 job\(s\) left in progress by dead process/);
    const rescuedAfter = (Date.now() - restarted) / 1000;
    await waitUntil(
      'every job performed',
      async () => new Set(await fixture.redis.lrange('probe:done:restart', 0, -1)).size === 5,
      20_000,
    );
    const seconds = (Date.now() - restarted) / 1000;
    expect(new Set(await fixture.redis.lrange('probe:done:restart', 0, -1))).toEqual(new Set(jids));
    expect(second.output()).toMatch(/process \S+ is gone \(pid \d+ no longer runs on this host\)/);
    console.log(
      `[rescue] restarted on the same host: 5 running jobs rescued ${rescuedAfter.toFixed(1)} s after the restart, ` +
        `performed (2 s each) after ${seconds.toFixed(1)} s`,
    );
  });

  it('a neighbour on the same host gives them back at its next heartbeat, not a process TTL later', async () => {
    // The neighbour works another queue, so the jobs it rescues stay in theirs to be counted.
    const neighbour = fixture.run(['-q', 'elsewhere', '--heartbeat', '2', '--log-level', 'warn']);
    const jids = await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 5 }, () => ['slow', 60_000, 'neighbour']),
    });
    const doomed = fixture.run(['-c', '5', '--heartbeat', '2', '--log-level', 'warn']);
    await waitUntil('5 running', async () => (await fixture.inProgressTotal()) === 5);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const killed = Date.now();
    await neighbour.waitForLine(/rescued 5 job\(s\) left in progress by dead process/, 10_000);
    const seconds = (Date.now() - killed) / 1000;
    const queued = (await fixture.redis.lrange('queue:default', 0, -1)).map((raw) => JSON.parse(raw).jid);
    expect(new Set(queued)).toEqual(new Set(jids));
    console.log(
      `[rescue] a neighbour with --heartbeat 2 rescued a killed process's 5 jobs after ${seconds.toFixed(1)} s`,
    );
  });
});

const SUSPECTS = 'sidepunch:suspects:{queue:default}';

/** A job as a rescuer leaves it after `nearCrashes` crashes of processes that held it beside others: a suspect. */
async function suspectNear(nearCrashes: number, args: unknown[]): Promise<{ jid: string; raw: string }> {
  const jid = (await fixture.client.push({ class: 'Probe', args }))!;
  const raw = (await fixture.redis.lmove('queue:default', SUSPECTS, 'RIGHT', 'LEFT'))!;
  await fixture.redis.set(`sidepunch:rescued:${createHash('sha1').update(raw).digest('hex')}`, nearCrashes);
  return { jid, raw };
}

async function runningAlone(): Promise<boolean> {
  for (const key of await fixture.redis.keys('sidepunch:suspect-alone:*'))
    if ((await fixture.redis.llen(key)) > 0) return true;
  return false;
}

describe('poison pills, counted only when they crash a process alone', () => {
  it('a job near many crashes is not condemned by one crash while it runs alone', async () => {
    // Near 5 crashes (a suspect since the second), then its process is killed while it runs alone — by an
    // operator, an OOM kill of the host: one crash alone is not enough to bury it (the default --max-rescues 3
    // allows a pill two crashes alone after the two near ones).
    const { jid } = await suspectNear(5, ['slow', 1500, 'near']);
    const first = fixture.run(['-c', '5', '--log-level', 'warn']);
    await waitUntil('it runs alone', runningAlone);
    first.child.kill('SIGKILL');
    await first.exited;
    fixture.run(['-c', '5', '--log-level', 'warn']);
    await waitUntil(
      'it is performed or dead',
      async () => (await fixture.redis.llen('probe:done:near')) + (await fixture.redis.zcard('dead')) > 0,
      20_000,
    );
    expect(await fixture.redis.zcard('dead')).toBe(0);
    expect(await fixture.redis.lrange('probe:done:near', 0, -1)).toEqual([jid]);
  });
});

describe('running alone with --threads', () => {
  it('a pill in one thread never crashes the process while another thread runs a suspect alone', async () => {
    // A crash ends every thread at once: were the pill started beside the suspect, the suspect would be blamed.
    const { jid } = await suspectNear(2, ['slow', 3000, 'near']);
    const args = ['--heartbeat', '0.25', '--process-ttl', '1', '--log-level', 'warn'];
    const pool = [...args, '--threads', '2', '-c', '5', '--max-rescues', '2'];
    const first = fixture.run(pool);
    await waitUntil('the suspect runs alone', runningAlone);
    await waitUntil('both threads wait for jobs', async () => {
      const clients = (await fixture.redis.client('LIST')) as string;
      return clients.split('\n').filter((line) => line.includes('cmd=blmove')).length === 2;
    });
    // Two pills, so that whichever thread runs the suspect, the other one holds a pill.
    const pills = await fixture.client.pushBulk({ class: 'Probe', args: [['crash'], ['crash']] });
    await first.exited;
    for (let attempt = 0; attempt < 8 && (await fixture.redis.zcard('dead')) < 2; attempt++) {
      const next = fixture.run(pool);
      const outcome = await Promise.race([
        next.exited.then(() => 'crashed'),
        waitUntil('every pill dead', async () => (await fixture.redis.zcard('dead')) >= 2, 10_000).then(
          () => 'done',
          () => 'stuck',
        ),
      ]);
      if (outcome === 'stuck') break;
    }
    const dead = (await fixture.redis.zrange('dead', 0, -1)).map((raw) => JSON.parse(raw).jid);
    expect(new Set(dead)).toEqual(new Set(pills));
    expect(await fixture.redis.lrange('probe:done:near', 0, -1)).toEqual([jid]);
  });
});
