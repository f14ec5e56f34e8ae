import { describe, expect, it } from 'vitest';
import { SidepunchApi } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';
import { type RuntimeProcess, waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();
const FAST_BEAT = ['--heartbeat', '0.2', '--process-ttl', '1'];

async function identityOf(process: RuntimeProcess): Promise<string> {
  const line = await process.waitForLine(/identity=\S+/);
  return /identity=(\S+)/.exec(line)![1]!;
}

function api() {
  return new SidepunchApi({ redis: fixture.redis });
}

describe('ProcessSet and WorkSet', () => {
  it('lists live processes with their info, and what each is running right now', async () => {
    const mailer = fixture.run([...FAST_BEAT, '-c', '3', '-g', 'mailer', '-q', 'mail']);
    const crunch = fixture.run([...FAST_BEAT, '-c', '2', '-g', 'crunch', '-q', 'crunch,2', '-q', 'default']);
    const [mailerId, crunchId] = [await identityOf(mailer), await identityOf(crunch)];
    const hanging = [
      await fixture.client.push({ class: 'Probe', args: ['hang'], queue: 'mail' }),
      await fixture.client.push({ class: 'Probe', args: ['hang'], queue: 'mail' }),
      await fixture.client.push({ class: 'Probe', args: ['hang'], queue: 'crunch' }),
    ];
    await waitUntil('three busy in the heartbeats', async () => (await api().work.size()) === 3);

    const processes = await api().processes.list();
    expect(processes.map((process) => process.identity)).toEqual([mailerId, crunchId].sort());
    const mailerRecord = processes.find((process) => process.identity === mailerId)!;
    expect(mailerRecord).toMatchObject({
      pid: mailer.child.pid,
      tag: 'mailer',
      queues: ['mail'],
      concurrency: 3,
      busy: 2,
      stopping: false,
      embedded: false,
    });
    expect(mailerRecord.hostname).not.toBe('');
    expect(mailerRecord.version).toMatch(/^sidepunch /);
    expect(mailerRecord.rss).toBeGreaterThan(1000);
    expect(Date.now() - mailerRecord.beat.getTime()).toBeLessThan(5_000);
    expect(mailerRecord.startedAt.getTime()).toBeLessThanOrEqual(mailerRecord.beat.getTime());
    const crunchRecord = processes.find((process) => process.identity === crunchId)!;
    expect(crunchRecord).toMatchObject({ queues: ['crunch', 'default'], busy: 1, concurrency: 2 });
    expect(crunchRecord.weights).toEqual([{ crunch: 2, default: 1 }]);
    expect(await api().processes.busy()).toBe(3);
    expect(await api().processes.totalConcurrency()).toBe(5);
    expect(await api().processes.size()).toBe(2);
    expect((await api().processes.get(crunchId))?.tag).toBe('crunch');
    expect(await api().processes.get('nobody:1:000000000000')).toBeUndefined();

    const work = await api().work.list();
    expect(work.map((entry) => entry.job.jid).sort()).toEqual([...hanging].sort());
    const crunching = work.find((entry) => entry.queue === 'crunch')!;
    expect(crunching).toMatchObject({ processId: crunchId, queue: 'crunch' });
    expect(crunching.job).toMatchObject({ jid: hanging[2], klass: 'Probe' });
    expect(Math.abs(crunching.runAt.getTime() - Date.now())).toBeLessThan(10_000);
    expect((await api().work.findByJid(hanging[0]!))?.processId).toBe(mailerId);
  });

  it('quiet() makes a process take no new jobs; stop() shuts it down cleanly', async () => {
    const runtime = fixture.run(FAST_BEAT);
    const identity = await identityOf(runtime);
    await waitUntil('registered', async () => (await api().processes.list()).length === 1);
    const [process] = await api().processes.list();
    await process!.quiet();
    await waitUntil('the quiet flag', async () => (await api().processes.get(identity))?.stopping === true);
    await fixture.client.push({ class: 'Probe', args: ['ok', 'after-quiet'] });

    await process!.stop();
    expect(await runtime.exited).toBe(0);
    expect(await fixture.redis.llen('queue:default')).toBe(1);
    expect(await api().processes.list()).toEqual([]);
    expect(await api().processes.size()).toBe(0);
  });

  it('a process killed without cleaning up disappears once its heartbeat expires, and cleanup prunes it', async () => {
    const runtime = fixture.run(FAST_BEAT);
    const identity = await identityOf(runtime);
    await waitUntil('registered', async () => (await api().processes.size()) === 1);
    await runtime.stop('SIGKILL');
    await waitUntil('its heartbeat expired', async () => (await fixture.redis.exists(identity)) === 0);

    expect(await api().processes.size()).toBe(1); // still a member, as Sidekiq's raw SCARD says
    expect(await api().processes.list()).toEqual([]); // list() ran the first cleanup of the minute
    expect(await api().processes.size()).toBe(0);

    await fixture.redis.sadd('processes', identity);
    expect(await api().processes.cleanup()).toBe(0); // throttled: once a minute across readers
    expect(await api().processes.cleanup({ force: true })).toBe(1);
  });
});
