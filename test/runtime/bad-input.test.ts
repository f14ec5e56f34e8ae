import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT, waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();

const NOT_JSON = '{"class":"Probe","args":["ok"';
const NOT_AN_OBJECT = '["Probe","ok"]';
const NO_CLASS = '{"args":["ok","x"],"jid":"aaaaaaaaaaaaaaaaaaaaaaaa","queue":"default"}';
const NO_ARGS = '{"class":"Probe","jid":"bbbbbbbbbbbbbbbbbbbbbbbb","queue":"default"}';
const UNKNOWN_CLASS =
  '{"class":"Vanished","args":[1],"jid":"cccccccccccccccccccccccc","queue":"default","x_custom":1}';

const NESTED_REGISTRY = `${REPO_ROOT}fixtures/registries/nested.mjs`;

describe('a payload that cannot be performed', () => {
  it('is logged with its reason, kept in the dead set (an unknown class is retried), and the process keeps working', async () => {
    const runtime = fixture.run([]);
    await runtime.waitForLine(/starting/);
    for (const raw of [NOT_JSON, NOT_AN_OBJECT, NO_CLASS, NO_ARGS, UNKNOWN_CLASS]) {
      await fixture.redis.lpush('queue:default', raw);
    }
    const good = await fixture.client.push({ class: 'Probe', args: ['ok', 'after'] });
    await waitUntil('the good job', async () => (await fixture.redis.llen('probe:done:after')) === 1);
    // Its outcome may wait up to 100 ms to share a write (a job trickling into an idle process): wait for it.
    await waitUntil(
      'its outcome written',
      async () => (await fixture.redis.keys('sidepunch:in-progress:*')).length === 0,
    );
    await waitUntil('four dead entries', async () => (await fixture.redis.zcard('dead')) === 4);
    await waitUntil('the unknown class retried', async () => (await fixture.redis.zcard('retry')) === 1);

    const log = runtime.output();
    expect(log).toMatch(
      /ERROR: cannot perform job from queue "default": payload is not JSON .*kept in the dead set/,
    );
    expect(log).toMatch(/ERROR: cannot perform .*payload is not a JSON object; kept in the dead set/);
    expect(log).toMatch(/jid=aaaaaaaaaaaaaaaaaaaaaaaa ERROR: .*payload has no "class" string/);
    expect(log).toMatch(/jid=bbbbbbbbbbbbbbbbbbbbbbbb ERROR: .*payload has no "args" array/);
    expect(log).toMatch(
      /jid=cccccccccccccccccccccccc WARN: fail: UnknownWorkerError: no worker class "Vanished" in the registry/,
    );
    expect(await fixture.redis.lrange('probe:done:after', 0, -1)).toEqual([good]);

    const dead = await fixture.redis.zrange('dead', 0, -1);
    // Not a job object: kept byte for byte, as Sidekiq keeps malformed JSON; the reason is beside it.
    for (const raw of [NOT_JSON, NOT_AN_OBJECT]) {
      expect(dead).toContain(raw);
      expect(JSON.parse((await fixture.redis.hget('sidepunch:dead-reasons', raw))!).error_message).toMatch(
        /payload is not/,
      );
    }
    // A job object: every field kept, Sidekiq's error fields added, so Sidekiq's Web UI shows why.
    const noArgs = JSON.parse(dead.find((member) => member.includes('"bbbbbbbbbbbbbbbbbbbbbbbb"'))!);
    expect(noArgs).toMatchObject({
      class: 'Probe',
      error_class: 'Sidepunch::InvalidPayload',
      error_message: 'payload has no "args" array',
      failed_at: expect.any(Number),
    });
    // An unknown class fails as Sidekiq's NameError does: retried, since another process may know the class.
    const [vanished] = await fixture.redis.zrange('retry', 0, -1);
    expect(JSON.parse(vanished!)).toMatchObject({
      class: 'Vanished',
      args: [1],
      jid: 'cccccccccccccccccccccccc',
      x_custom: 1,
      retry_count: 0,
      error_class: 'UnknownWorkerError',
      error_message: expect.stringContaining('no worker class "Vanished"'),
      failed_at: expect.any(Number),
    });
    expect(await fixture.redis.llen('queue:default')).toBe(0);
    expect(await fixture.redis.keys('sidepunch:in-progress:*')).toEqual([]);
    expect(runtime.child.exitCode).toBeNull();
  });

  it('a jid that is not a string (a number, an object, an array) goes to the dead set with the reason', async () => {
    const payloads = [
      '{"class":"Probe","args":["ok","jid"],"jid":123,"queue":"default"}',
      '{"class":"Probe","args":["ok","jid"],"jid":{"a":1},"queue":"default"}',
      '{"class":"Probe","args":["fail"],"jid":["x"],"queue":"default"}',
    ];
    await fixture.redis.lpush('queue:default', ...payloads);
    const after = await fixture.client.push({ class: 'Probe', args: ['ok', 'after'] });
    const runtime = fixture.run([]);
    await waitUntil('the job after them', async () => (await fixture.redis.llen('probe:done:after')) === 1);
    await waitUntil('three dead entries', async () => (await fixture.redis.zcard('dead')) === 3);
    await waitUntil('nothing in progress', async () => (await fixture.inProgressTotal()) === 0);
    expect(await fixture.redis.lrange('probe:done:after', 0, -1)).toEqual([after]);
    expect(await fixture.redis.exists('probe:done:jid')).toBe(0);
    for (const member of await fixture.redis.zrange('dead', 0, -1)) {
      expect(JSON.parse(member)).toMatchObject({
        error_class: 'Sidepunch::InvalidPayload',
        error_message: 'payload has a "jid" that is not a string',
      });
    }
    const log = runtime.output();
    expect(
      log.match(
        /ERROR: cannot perform job from queue "default": payload has a "jid" that is not a string; kept in the dead set/g,
      ),
    ).toHaveLength(3);
    expect(log).not.toMatch(/internal error/);
    // Every line is whole: none begins inside another.
    for (const line of log.trim().split('\n')) expect(line).toMatch(/^\d{4}-\d\d-\d\dT[^ ]+ pid=\d+ /);
    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(await fixture.redis.llen('queue:default')).toBe(0);
  });

  it('arguments nested too deep for their validator go to the dead set with the reason; the jobs beside run', async () => {
    const depth = 50_000;
    const deep = `{"class":"Nested","args":[${'['.repeat(depth)}"x"${']'.repeat(depth)}],"jid":"dddddddddddddddddddddddd","queue":"default"}`;
    await fixture.redis.lpush('queue:default', deep);
    const shallow = await fixture.client.push({ class: 'Nested', args: [['a', ['b']]] });
    const runtime = fixture.run([], { registry: NESTED_REGISTRY });
    await waitUntil('the shallow job', async () => (await fixture.redis.llen('probe:done:nested')) === 1);
    await waitUntil('one dead entry', async () => (await fixture.redis.zcard('dead')) === 1);
    await waitUntil('nothing in progress', async () => (await fixture.inProgressTotal()) === 0);
    expect(await fixture.redis.lrange('probe:done:nested', 0, -1)).toEqual([shallow]);
    const [dead] = await fixture.redis.zrange('dead', 0, -1);
    expect(JSON.parse(dead!)).toMatchObject({
      jid: 'dddddddddddddddddddddddd',
      error_class: 'Sidepunch::InvalidArguments',
      error_message:
        'arguments do not match Nested.perform: args could not be checked (RangeError: Maximum call stack size exceeded)',
    });
    expect(runtime.output()).toMatch(
      /jid=dddddddddddddddddddddddd ERROR: cannot perform job from queue "default": arguments do not match Nested\.perform: args could not be checked \(RangeError: Maximum call stack size exceeded\); kept in the dead set/,
    );
    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(await fixture.redis.llen('queue:default')).toBe(0);
  });

  it('a class named like an Object property (constructor, __proto__, toString) is an unknown worker, retried', async () => {
    const runtime = fixture.run([]);
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
    for (const name of names) await fixture.client.push({ class: name, args: [name] });
    await waitUntil('every one retried', async () => (await fixture.redis.zcard('retry')) === names.length);
    await fixture.client.push({ class: 'Probe', args: ['ok', 'after-prototype'] });
    await waitUntil(
      'the next job',
      async () => (await fixture.redis.llen('probe:done:after-prototype')) === 1,
    );

    const retried = (await fixture.redis.zrange('retry', 0, -1)).map((raw) => JSON.parse(raw));
    expect(retried.map((job) => job.class).sort()).toEqual([...names].sort());
    for (const job of retried) {
      expect(job).toMatchObject({
        args: [job.class],
        retry_count: 0,
        error_class: 'UnknownWorkerError',
        error_message: expect.stringContaining(`no worker class "${job.class}" in the registry`),
      });
    }
    expect(runtime.output()).not.toMatch(/TypeError/);
  });

  it('a job that throws is logged with its error and the process keeps working', async () => {
    const runtime = fixture.run([]);
    const failing = await fixture.client.push({ class: 'Probe', args: ['fail', 'kaboom'] });
    await runtime.waitForLine(new RegExp(`jid=${failing} elapsed=[\\d.]+ WARN: fail: Error: kaboom`));
    await fixture.client.push({ class: 'Probe', args: ['ok', 'after-fail'] });
    await waitUntil('the next job', async () => (await fixture.redis.llen('probe:done:after-fail')) === 1);
    await waitUntil('counters', async () => (await fixture.redis.get('stat:processed')) === '2');
    expect(await fixture.redis.get('stat:failed')).toBe('1');
  });

  it('a class name or error message with a newline or a NUL cannot forge a log line', async () => {
    const runtime = fixture.run([]);
    await runtime.waitForLine(/starting/);
    const forged = '2026-01-01 INFO forged';
    await fixture.redis.lpush(
      'queue:default',
      JSON.stringify({
        class: `Evil\n${forged}`,
        args: [],
        jid: 'dddddddddddddddddddddddd',
        queue: 'default',
      }),
      JSON.stringify({ class: 'Nul\u0000Byte', args: [], jid: 'eeeeeeeeeeeeeeeeeeeeeeee', queue: 'default' }),
    );
    const failing = await fixture.client.push({
      class: 'Probe',
      args: ['fail', `kaboom\r\n${forged}\u2028x`],
    });
    await runtime.waitForLine(/jid=eeeeeeeeeeeeeeeeeeeeeeee WARN: fail: UnknownWorkerError/);
    await runtime.waitForLine(new RegExp(`jid=${failing} elapsed=[\\d.]+ WARN: fail: Error: kaboom`));

    const log = runtime.output();
    expect(log.split('\n').filter((line) => line.startsWith(forged))).toEqual([]);
    expect(log).not.toContain('\u0000');
    expect(log).not.toContain('\r');
    expect(log).not.toContain('\u2028');
    // Escaped where they stood, so the line still says what the job was.
    expect(log).toContain(
      `class=Evil\\n${forged} jid=dddddddddddddddddddddddd WARN: fail: UnknownWorkerError: no worker class "Evil\\n${forged}"`,
    );
    expect(log).toContain('class=Nul\\x00Byte jid=eeeeeeeeeeeeeeeeeeeeeeee WARN');
    expect(log).toContain(`WARN: fail: Error: kaboom\\r\\n${forged}\\u2028x`);
  });
});
