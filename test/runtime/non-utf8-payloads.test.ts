/**
 * Payloads whose bytes are not UTF-8. ioredis decodes every reply as UTF-8, with U+FFFD for invalid bytes, so the
 * string the runtime reads is not what Redis holds: these tests check that such a job still leaves its in-progress
 * list exactly once, lands in the dead set byte for byte, and is never performed (a JavaScript string cannot hold
 * those bytes: the worker would get altered arguments, and a retry would store the altered payload).
 */
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();

const bytes = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

/** A well-formed Sidekiq job but for two bytes that are not UTF-8 in an argument. */
const jobWith = (invalid: number[], jid: string): Buffer =>
  bytes('{"class":"Probe","args":["ok","bytes', invalid, `"],"jid":"${jid}","queue":"default"}`);

// 0xff 0xfe and 0xfe 0xff both decode to "\uFFFD\uFFFD": the same string from different bytes.
const INVALID_JOB = jobWith([0xff, 0xfe], 'aaaaaaaaaaaaaaaaaaaaaaaa');
const SAME_DECODING = jobWith([0xfe, 0xff], 'aaaaaaaaaaaaaaaaaaaaaaaa');
const GARBAGE = bytes([0xff], 'not json {', [0xc3, 0x28]);

async function deadMembers(): Promise<Buffer[]> {
  return fixture.redis.zrangeBuffer('dead', 0, -1);
}

function holds(members: readonly Buffer[], expected: Buffer): boolean {
  return members.some((member) => member.equals(expected));
}

describe('a payload whose bytes are not valid UTF-8', () => {
  it('goes to the dead set byte for byte, unperformed, leaves its in-progress list, and never runs again after a restart', async () => {
    const before = await fixture.client.push({ class: 'Probe', args: ['ok', 'around'] });
    // Twice the same bytes, once other bytes with the same decoding, and garbage: all taken in one fetch.
    await fixture.redis.lpush('queue:default', INVALID_JOB, INVALID_JOB, SAME_DECODING, GARBAGE);
    const after = await fixture.client.push({ class: 'Probe', args: ['ok', 'around'] });
    const runtime = fixture.run(['-c', '5']);

    await waitUntil(
      'the jobs around them',
      async () => (await fixture.redis.llen('probe:done:around')) === 2,
    );
    await waitUntil('three dead entries', async () => (await fixture.redis.zcard('dead')) === 3);
    await waitUntil('the in-progress list emptied', async () => (await fixture.inProgressTotal()) === 0);
    expect(await fixture.redis.lrange('probe:done:around', 0, -1)).toEqual([before, after]);

    const dead = await deadMembers();
    for (const payload of [INVALID_JOB, SAME_DECODING, GARBAGE]) expect(holds(dead, payload)).toBe(true);
    // The reason is kept beside each, keyed by the same bytes.
    for (const payload of [INVALID_JOB, GARBAGE]) {
      const reason = JSON.parse((await fixture.redis.hget('sidepunch:dead-reasons', payload))!);
      expect(reason).toEqual({
        error_class: 'Sidepunch::InvalidPayload',
        error_message: expect.stringMatching(/^payload is not valid UTF-8/),
      });
    }
    expect(runtime.output()).toMatch(
      /ERROR: cannot perform job from queue "default": payload is not valid UTF-8 .*; kept in the dead set/,
    );
    expect(await fixture.redis.exists('probe:done:bytes\uFFFD\uFFFD')).toBe(0);

    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(runtime.output()).not.toMatch(/requeued \d+ unfinished/);
    expect(await fixture.redis.llen('queue:default')).toBe(0);

    // A second start: nothing of the above runs again; one more such payload, pushed while the process waits
    // (the blocking fetch), goes the same way.
    const restarted = fixture.run(['-c', '5']);
    await restarted.waitForLine(/starting/);
    const idle = jobWith([0x80], 'bbbbbbbbbbbbbbbbbbbbbbbb');
    await fixture.redis.lpush('queue:default', idle);
    const marker = await fixture.client.push({ class: 'Probe', args: ['ok', 'marker'] });
    await waitUntil('the marker job', async () => (await fixture.redis.llen('probe:done:marker')) === 1);
    await waitUntil('four dead entries', async () => (await fixture.redis.zcard('dead')) === 4);
    await waitUntil('the in-progress list emptied', async () => (await fixture.inProgressTotal()) === 0);
    expect(holds(await deadMembers(), idle)).toBe(true);
    expect(await fixture.redis.lrange('probe:done:marker', 0, -1)).toEqual([marker]);
    expect(await fixture.redis.llen('probe:done:around')).toBe(2);
    expect(await fixture.redis.exists('probe:done:bytes\uFFFD\uFFFD', 'probe:done:bytes\uFFFD')).toBe(0);
    expect(await restarted.stop('SIGTERM')).toBe(0);
    expect(await fixture.redis.llen('queue:default')).toBe(0);
  });

  it('a payload with a real U+FFFD, encoded correctly, runs once and is acknowledged', async () => {
    // Two payloads with the same decoding: one is UTF-8 (U+FFFD encoded as EF BF BD) and runs, the other dies.
    const valid = jobWith([0xef, 0xbf, 0xbd], 'cccccccccccccccccccccccc');
    const invalid = jobWith([0xff], 'cccccccccccccccccccccccc');
    const runtime = fixture.run(['-c', '5']);
    await runtime.waitForLine(/starting/);
    await fixture.redis.lpush('queue:default', valid, invalid, valid, invalid);
    await waitUntil('the jobs', async () => (await fixture.redis.llen('probe:done:bytes\uFFFD')) === 2);
    await waitUntil('one dead entry', async () => (await fixture.redis.zcard('dead')) === 1);
    await waitUntil('the in-progress list emptied', async () => (await fixture.inProgressTotal()) === 0);
    expect(holds(await deadMembers(), invalid)).toBe(true);
    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(await fixture.redis.llen('queue:default')).toBe(0);
    expect(await fixture.redis.llen('probe:done:bytes\uFFFD')).toBe(2);
    expect(await fixture.redis.get('stat:processed')).toBe('2');
  });

  it('among 2,000 good jobs at -c 20, 100 UTF-8 payloads run once and their 200 invalid twins die byte for byte', async () => {
    const good = await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 2_000 }, () => ['ok', 'good']),
    });
    const queued = await fixture.redis.lrangeBuffer('queue:default', 0, -1);
    await fixture.redis.del('queue:default');
    // Each jid three times with one decoding: once U+FFFD encoded (runs), twice invalid bytes (die).
    const jids = Array.from({ length: 100 }, (_, i) => `twin${String(i).padStart(20, '0')}`);
    const invalid = jids.flatMap((jid) => [jobWith([0xff], jid), jobWith([0xfe], jid)]);
    const mixed: Buffer[] = [];
    for (let i = 0; i < queued.length; i++) {
      mixed.push(queued[i]!);
      if (i % 20 === 0) {
        const jid = jids[i / 20]!;
        mixed.push(jobWith([0xff], jid), jobWith([0xef, 0xbf, 0xbd], jid), jobWith([0xfe], jid));
      }
    }
    await fixture.redis.lpush('queue:default', ...mixed);
    const runtime = fixture.run(['-c', '20', '--log-level', 'warn']);

    await waitUntil('the good jobs', async () => (await fixture.redis.llen('probe:done:good')) === 2_000);
    await waitUntil('200 dead entries', async () => (await fixture.redis.zcard('dead')) === 200);
    await waitUntil('the in-progress list emptied', async () => (await fixture.inProgressTotal()) === 0);
    expect(new Set(await fixture.redis.lrange('probe:done:good', 0, -1))).toEqual(new Set(good));
    const ran = await fixture.redis.lrange('probe:done:bytes\uFFFD', 0, -1);
    expect(ran.sort()).toEqual(jids);
    const dead = await deadMembers();
    for (const payload of invalid) expect(holds(dead, payload)).toBe(true);
    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(runtime.output()).not.toMatch(/requeued \d+ unfinished/);
    expect(await fixture.redis.llen('queue:default')).toBe(0);
  });

  it('stranded in the in-progress list by a lost reply, it is adopted after the reconnect and dies byte for byte', async () => {
    const runtime = fixture.run(['-c', '5']);
    // Once a job has run, the process is registered and waiting on its blocking fetch.
    await fixture.client.push({ class: 'Probe', args: ['ok', 'first'] });
    await waitUntil('the first job', async () => (await fixture.redis.llen('probe:done:first')) === 1);
    const [identity] = await fixture.redis.smembers('processes');
    const stranded = jobWith([0xff, 0xfe], 'dddddddddddddddddddddddd');
    // What a fetch whose reply was lost leaves behind: the job moved, the process unaware of it.
    await fixture.redis.lpush(`sidepunch:in-progress:{queue:default}:${identity}`, stranded);
    const clients = (await fixture.redis.client('LIST')) as string;
    for (const line of clients.split('\n')) {
      const [, id] = /^id=(\d+) .*name=sidepunch-(?:blocking-)?fetch/.exec(line) ?? [];
      if (id) await fixture.redis.client('KILL', 'ID', id);
    }
    await runtime.waitForLine(/adopted 1 job\(s\) left in this process's in-progress lists/);
    await waitUntil('the dead entry', async () => (await fixture.redis.zcard('dead')) === 1);
    await waitUntil('the in-progress list emptied', async () => (await fixture.inProgressTotal()) === 0);
    expect(holds(await deadMembers(), stranded)).toBe(true);
    expect(await fixture.redis.exists('probe:done:bytes\uFFFD\uFFFD')).toBe(0);
    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(await fixture.redis.llen('queue:default')).toBe(0);
  });

  it('in the schedule and retry sets, it goes to the dead set byte for byte at the next poll and leaves its set, even 150 of them', async () => {
    const due = Date.now() / 1000 - 10;
    // More than a poll's batch of 100, so a batch that moved nothing would be read again and again.
    const scheduled = Array.from({ length: 150 }, (_, i) =>
      jobWith([0xff, 0xfe], `sched${String(i).padStart(19, '0')}`),
    );
    const retrying = jobWith([0xc3, 0x28], 'eeeeeeeeeeeeeeeeeeeeeeee');
    await fixture.redis.zadd('schedule', ...scheduled.flatMap((member) => [due, member]), due, GARBAGE);
    await fixture.redis.zadd('retry', due, retrying);
    const good = '{"class":"Probe","args":["ok","due"],"jid":"ffffffffffffffffffffffff","queue":"default"}';
    await fixture.redis.zadd('schedule', due, good);
    const runtime = fixture.run(['--poll-interval', '0.2']);

    await waitUntil('152 dead entries', async () => (await fixture.redis.zcard('dead')) === 152);
    await waitUntil('the good job', async () => (await fixture.redis.llen('probe:done:due')) === 1);
    expect(await fixture.redis.zcard('schedule')).toBe(0);
    expect(await fixture.redis.zcard('retry')).toBe(0);
    const dead = await deadMembers();
    for (const payload of [...scheduled, retrying, GARBAGE]) expect(holds(dead, payload)).toBe(true);
    const reason = JSON.parse((await fixture.redis.hget('sidepunch:dead-reasons', retrying))!);
    expect(reason).toEqual({
      error_class: 'Sidepunch::InvalidPayload',
      error_message: 'payload is not valid UTF-8 (byte 0xc3 at offset 36)',
    });
    expect(await fixture.redis.exists('probe:done:bytes\uFFFD\uFFFD')).toBe(0);

    // Each is reported once, not again at every poll: a job scheduled later runs after more polls.
    await fixture.redis.zadd('schedule', Date.now() / 1000 + 0.5, good.replace('"due"', '"later"'));
    await waitUntil('the later job', async () => (await fixture.redis.llen('probe:done:later')) === 1);
    const lines = runtime.output().match(/ERROR: cannot enqueue a member of "(schedule|retry)"/g) ?? [];
    expect(lines).toHaveLength(152);
    expect(runtime.output()).toMatch(
      /ERROR: cannot enqueue a member of "retry": payload is not valid UTF-8 \(byte 0xc3 at offset 36\); moved to the dead set/,
    );
    expect(await runtime.stop('SIGTERM')).toBe(0);
  });
});
