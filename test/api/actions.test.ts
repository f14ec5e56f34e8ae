import { describe, expect, it } from 'vitest';
import { type JobPayload, NotAJobError, onJobDeath, SidepunchApi } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();
const FAST_BEAT = ['--heartbeat', '0.2', '--process-ttl', '1'];

function api() {
  return new SidepunchApi({ redis: fixture.redis });
}

/** Real failures: each job fails in a real sidepunch-run and waits in the retry set, to retry on "held". */
async function failedJobs(count: number) {
  const runtime = fixture.run(FAST_BEAT);
  const args = Array.from({ length: count }, (_, i) => ['fail', `failure ${i}`]);
  const jids = await fixture.client.pushBulk({ class: 'Probe', args, retry_queue: 'held' });
  await waitUntil('the retries', async () => (await fixture.redis.zcard('retry')) === count);
  await runtime.stop();
  return jids;
}

describe('actions on the retry, scheduled and dead sets', () => {
  it('retry now pushes the job to its queue as the client does, handing back one retry', async () => {
    const [jid] = await failedJobs(1);
    const [entry] = await api().retries.page(0, 1);
    expect(entry!.retryCount).toBe(0);
    const before = Date.now() / 1000;
    expect(await entry!.retry()).toBe(true);
    expect(await entry!.retry()).toBe(false); // moved once, however often it is clicked

    expect(await api().retries.size()).toBe(0);
    expect(await fixture.redis.smembers('queues')).toContain('held');
    const [queued] = await api().queue('held').page(0, 10);
    expect(queued).toMatchObject({ jid, queue: 'held', retryCount: -1, errorMessage: 'failure 0' });
    expect(queued!.enqueuedAt!.getTime() / 1000).toBeGreaterThanOrEqual(before - 1);
    const { enqueued_at: _was, retry_count: _count, ...unchanged } = JSON.parse(entry!.value);
    expect(JSON.parse(queued!.value)).toMatchObject(unchanged);

    // It runs, fails again, and is back with the retry count it had: the manual retry used up no attempt.
    fixture.run([...FAST_BEAT, '-q', 'held']);
    await waitUntil('failed again', async () => (await fixture.redis.zcard('retry')) === 1);
    const [again] = await api().retries.page(0, 1);
    expect(again).toMatchObject({ jid, retryCount: 0, errorMessage: 'failure 0' });
    expect(again!.retriedAt).toBeDefined();
  });

  it('add to queue runs a scheduled job now', async () => {
    fixture.run(FAST_BEAT);
    const jid = (await fixture.client.push({ class: 'Probe', args: ['ok', 'later'], in: 3600 }))!;
    const entry = await api().scheduled.findJob(jid);
    expect(await entry!.addToQueue()).toBe(true);
    await waitUntil('it ran', async () =>
      (await fixture.redis.lrange('probe:done:later', 0, -1)).includes(jid),
    );
    expect(await api().scheduled.size()).toBe(0);
  });

  it('kill moves a retry to the dead set and tells the death handlers, unless asked not to', async () => {
    const jids = await failedJobs(2);
    const deaths: { job: JobPayload; error: unknown }[] = [];
    const off = onJobDeath((job, error) => void deaths.push({ job, error }));
    try {
      const first = await api().retries.findJob(jids[0]!);
      expect(await first!.kill()).toBe(true);
      expect(await first!.kill()).toBe(false);
      const second = await api().retries.findJob(jids[1]!);
      expect(await second!.kill({ notifyFailure: false })).toBe(true);
    } finally {
      off();
    }
    expect(await api().retries.size()).toBe(0);
    const dead = await api().dead.page(0, 10);
    expect(dead.map((entry) => entry.jid).sort()).toEqual([...jids].sort());
    expect(Math.abs(dead[0]!.score - Date.now() / 1000)).toBeLessThan(5);
    expect(deaths).toHaveLength(1);
    expect(deaths[0]!.job.jid).toBe(jids[0]);
    expect(deaths[0]!.error).toMatchObject({ name: 'JobKilledByApi', message: 'Job killed by API' });
  });

  it('a job added to the dead set by hand can be retried from there, and runs', async () => {
    fixture.run(FAST_BEAT);
    await fixture.redis.lpush(
      'queue:parked',
      '{"retry":true,"queue":"default","args":["ok","revived"],"class":"Probe","jid":"0123456789abcdef01234567"}',
    );
    const [parked] = await api().queue('parked').page(0, 1);
    await api().dead.kill(parked!.value, { notifyFailure: false });
    const [entry] = await api().dead.page(0, 1);
    expect(entry!.jid).toBe('0123456789abcdef01234567');
    expect(await entry!.retry()).toBe(true);
    await waitUntil('it ran', async () => (await fixture.redis.llen('probe:done:revived')) === 1);
    expect(await api().dead.size()).toBe(0);
  });

  it('retry all, kill all and add all to queue move every job entry, leaving what is not a job', async () => {
    const jids = await failedJobs(5);
    await fixture.redis.zadd('retry', 1, 'not a job');
    expect(await api().retries.retryAll()).toBe(5);
    expect((await api().queue('held').page(0, 10)).map((job) => job.jid).sort()).toEqual([...jids].sort());
    expect(await fixture.redis.zrange('retry', 0, -1)).toEqual(['not a job']);
    expect(await api().retries.killAll({ notifyFailure: false })).toBe(1);
    expect(await fixture.redis.zrange('dead', 0, -1)).toEqual(['not a job']);

    const later = await fixture.client.pushBulk({
      class: 'Probe',
      args: [
        ['ok', 'all'],
        ['ok', 'all'],
      ],
      in: 60,
    });
    expect(await api().scheduled.addAllToQueue()).toBe(2);
    fixture.run(FAST_BEAT);
    await waitUntil('both ran', async () => (await fixture.redis.llen('probe:done:all')) === 2);
    expect((await fixture.redis.lrange('probe:done:all', 0, -1)).sort()).toEqual([...later].sort());
  });

  it('an entry that is not a job cannot be queued: a clear error, and it stays', async () => {
    await fixture.redis.zadd('dead', 1, '{oops');
    const [entry] = await api().dead.page(0, 1);
    await expect(entry!.retry()).rejects.toThrow(
      new NotAJobError('cannot push this entry to a queue: payload is not JSON'),
    );
    expect(await api().dead.size()).toBe(1);
  });

  it('a payload that is not valid UTF-8 is deleted, retried, added to its queue and killed byte for byte', async () => {
    // "café" in Latin-1: the é is the byte 0xe9, which a JavaScript string cannot hold.
    const stored = (jid: string) =>
      Buffer.concat([
        Buffer.from('{"class":"Bin","args":["caf'),
        Buffer.from([0xe9]),
        Buffer.from(`"],"jid":"${jid}","queue":"bin","retry_count":2}`),
      ]);
    for (const jid of ['deleted', 'retried', 'queued']) await fixture.redis.zadd('dead', 100, stored(jid));
    await fixture.redis.zadd('retry', 100, stored('killed'));
    await fixture.redis.lpush('queue:waiting', stored('dropped'));
    const byJid = new Map((await api().dead.fetch(100)).map((entry) => [entry.jid, entry]));
    const [retrying] = await api().retries.page(0, 1);
    const [waiting] = await api().queue('waiting').page(0, 1);

    expect(await byJid.get('deleted')!.delete()).toBe(true);
    expect(await byJid.get('retried')!.retry()).toBe(true);
    expect(await byJid.get('queued')!.addToQueue()).toBe(true);
    expect(await retrying!.kill({ notifyFailure: false })).toBe(true);
    expect(await waiting!.delete()).toBe(true);

    expect(await fixture.redis.zcard('retry')).toBe(0);
    expect(await fixture.redis.llen('queue:waiting')).toBe(0);
    expect(await fixture.redis.zrangeBuffer('dead', 0, -1)).toEqual([stored('killed')]);
    const queued = (await fixture.redis.lrangeBuffer('queue:bin', 0, -1)).map((bytes) => {
      // Each keeps its 0xe9; only enqueued_at (and, for the retry, one retry handed back) changed.
      expect(bytes.includes(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x22]))).toBe(true);
      return bytes.toString('latin1').replace(/,"enqueued_at":[\d.]+/, '');
    });
    expect(queued.sort()).toEqual(
      [stored('queued'), stored('retried')].map((bytes) =>
        bytes
          .toString('latin1')
          .replace('"retried","queue":"bin","retry_count":2', '"retried","queue":"bin","retry_count":1'),
      ),
    );
  });

  it('reschedule moves a scheduled job to a new time', async () => {
    const jid = (await fixture.client.push({ class: 'Probe', args: ['ok'], in: 3600 }))!;
    const entry = await api().scheduled.findJob(jid);
    const at = new Date(Date.now() + 60_000);
    expect(await entry!.reschedule(at)).toBe(true);
    expect((await api().scheduled.findJob(jid))!.at.getTime()).toBeCloseTo(at.getTime(), -1);
    await entry!.delete();
    expect(await entry!.reschedule(at)).toBe(false);
    expect(await api().scheduled.size()).toBe(0);
  });

  it('works under a namespace, beside the runtime and client using it', async () => {
    fixture.run([...FAST_BEAT, '--namespace', 'app1']);
    const nsApi = new SidepunchApi({ redis: fixture.redis, namespace: 'app1' });
    await waitUntil('the process', async () => (await nsApi.processes.list()).length === 1);
    expect(await api().processes.size()).toBe(0);
    await fixture.redis.zadd(
      'app1:schedule',
      1e10,
      '{"queue":"default","args":["ok","ns"],"class":"Probe","jid":"aaaaaaaaaaaaaaaaaaaaaaaa"}',
    );
    expect(await nsApi.scheduled.addAllToQueue()).toBe(1);
    await waitUntil('it ran', async () => (await fixture.redis.llen('probe:done:ns')) === 1);
    // The processed counter is written with the acknowledgement, just after the job recorded itself.
    await waitUntil('counted', async () => (await nsApi.stats.summary()).processed === 1);
  });
});
