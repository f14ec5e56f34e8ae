/**
 * The in-flight check (api.checkInFlight, `sidepunch-run check`): every place a stored job can wait is read —
 * queues, the scheduled and retry sets, every list a rescue could give back, the jobs batches and workflows hold
 * back — each job is classed as its registry would class it, and nothing in Redis changes. The command: usage
 * errors in one line.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { argsValidator } from '../../compiler/validate-args.js';
import type { Registry } from '../../runtime/core/registry.js';
import { Client, SidepunchApi, workerStub } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';
import { requireBuiltDist } from '../support/required-tool.js';
import { RUN_BIN } from '../support/runtime-process.js';

const fixture = useRedis();
const dist = requireBuiltDist(['dist/runtime/cli/run.js']);

class Upgrading {
  static sidepunchUpgrade([email]: [string]) {
    return [email, 'en'];
  }
  perform() {}
}
class Strict {
  perform() {}
}

const twoStrings = () => argsValidator({ tuple: ['string', 'string'], min: 2 });
const oneString = () => argsValidator({ tuple: ['string'], min: 1 });
const registry: Registry = {
  workers: { Upgrading, Strict },
  validators: { Upgrading: twoStrings(), Strict: twoStrings() },
  generations: {
    Upgrading: { current: 2, old: [{ generation: 1, validator: oneString() }] },
    Strict: { current: 2, old: [{ generation: 1, validator: oneString() }] },
  },
};

const job = (className: string, args: unknown[], jid: string) =>
  JSON.stringify({ class: className, args, jid, queue: 'mail', retry: true });

async function snapshot(): Promise<Record<string, unknown>> {
  const { redis } = fixture;
  const keys = (await redis.keys('*')).sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const type = await redis.type(key);
    out[key] =
      type === 'list'
        ? await redis.lrange(key, 0, -1)
        : type === 'zset'
          ? await redis.zrange(key, 0, -1, 'WITHSCORES')
          : type === 'set'
            ? (await redis.smembers(key)).sort()
            : type;
  }
  return out;
}

describe('the in-flight check', () => {
  it('reads queues, schedule, retry and in-progress lists, classes each job, and changes nothing', async () => {
    const { redis } = fixture;
    await redis.sadd('queues', 'mail');
    await redis.lpush(
      'queue:mail',
      job('Upgrading', ['a'], 'q1'),
      job('Strict', ['a', 'b'], 'q2'),
      job('Gone', [1], 'q3'),
    );
    await redis.zadd('schedule', 1, job('Strict', ['a'], 's1'));
    await redis.zadd('retry', 2, job('Strict', [1, 2], 'r1'));
    await redis.sadd('processes', 'host:1:abc');
    await redis.lpush('sidepunch:in-progress:{queue:mail}:host:1:abc', job('Upgrading', ['b'], 'p1'));
    const before = await snapshot();

    const api = new SidepunchApi({ redis: fixture.server.url });
    const report = await api.checkInFlight(registry);
    await api.close();

    expect(report).toMatchObject({ checked: 6, fit: 1, upgrade: 2, reject: 2, unknown: 1 });
    expect(report.groups).toEqual([
      {
        className: 'Gone',
        verdict: 'unknown',
        reason: 'this registry has no worker of this class',
        count: 1,
        where: { 'queue:mail': 1 },
        jids: ['q3'],
      },
      {
        className: 'Strict',
        verdict: 'reject',
        reason: 'args[0]: expected string, got number',
        count: 1,
        where: { retry: 1 },
        jids: ['r1'],
      },
      {
        className: 'Strict',
        verdict: 'reject',
        generation: 1,
        reason:
          'args: expected 2 arguments, got 1 (they fit generation 1 of its arguments, but Strict has no upgrade step from generation 1 (static sidepunchUpgrade))',
        count: 1,
        where: { schedule: 1 },
        jids: ['s1'],
      },
      {
        className: 'Upgrading',
        verdict: 'upgrade',
        generation: 1,
        reason: 'fits generation 1: upgraded step by step',
        count: 2,
        where: { 'queue:mail': 1, 'in-progress:mail': 1 },
        jids: ['q1', 'p1'],
      },
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('reads default and the queues the workers declare even when the queues set does not name them: the runtime works them', async () => {
    const { redis } = fixture;
    class Mailer {
      static sidepunchOptions = { queue: 'mail' };
      perform() {}
    }
    const declaring: Registry = { ...registry, workers: { ...registry.workers, Mailer } };
    await redis.lpush('queue:default', job('Strict', ['a'], 'd1'));
    await redis.lpush('queue:mail', job('Strict', ['b'], 'm1'));
    const api = new SidepunchApi({ redis: fixture.server.url });
    const report = await api.checkInFlight(declaring);
    await api.close();
    expect(report).toMatchObject({ checked: 2, reject: 2 });
    expect(report.groups[0]?.where).toEqual({ 'queue:default': 1, 'queue:mail': 1 });
    expect(await redis.smembers('queues')).toEqual([]);
  });

  it('reads every list the rescuer would give back: a crashed process pruned from the process set, its suspects, its half-done moves', async () => {
    const { redis } = fixture;
    // A process killed -9 whose heartbeat expired: a reader pruned it from `processes` (as Sidekiq's do), but its
    // record of queues remains, and the rescuer of the next deploy gives its lists back to their queues.
    const dead = 'host:2:crashed';
    await redis.sadd('queues', 'mail');
    await redis.hset('sidepunch:process-queues', dead, '["mail"]');
    await redis.lpush(
      `sidepunch:in-progress:{queue:mail}:${dead}`,
      job('Strict', ['a'], 'p1'),
      job('Strict', ['b'], 'p2'),
    );
    await redis.lpush(`sidepunch:suspect-alone:{queue:mail}:${dead}`, job('Strict', ['c'], 'a1'));
    await redis.lpush(`sidepunch:suspect-claimed:{queue:mail}:${dead}`, job('Strict', ['d'], 'c1'));
    await redis.lpush('sidepunch:suspects:{queue:mail}', job('Strict', ['e'], 's1'));
    await redis.lpush(`sidepunch:promoting:{retry}:${dead}`, job('Strict', ['f'], 'm1'));
    await redis.lpush(`sidepunch:promoting:{schedule}:${dead}`, job('Strict', ['g'], 'm2'));

    const api = new SidepunchApi({ redis: fixture.server.url });
    const report = await api.checkInFlight(registry);
    await api.close();

    expect(report).toMatchObject({ checked: 7, reject: 7 });
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]).toMatchObject({
      className: 'Strict',
      count: 7,
      where: { 'in-progress:mail': 5, 'promoting:retry': 1, 'promoting:schedule': 1 },
    });
  });

  it("reads the jobs a batch or a workflow holds back: a live batch's callbacks, and parents waiting for their children", async () => {
    const client = new Client({ redis: fixture.server.url });
    const Strict = workerStub<unknown[], 'Strict'>('Strict');
    const Upgrading = workerStub<unknown[], 'Upgrading', 'Strict'>('Upgrading');
    // A batch whose on-complete callback, pushed by the old code, waits for its job; its on-death has fired already
    // (the callback job went to its queue then, and is read there).
    const batch = client.batch({ onComplete: Strict.with('done@x'), onDeath: Strict.with('dead@x') });
    await batch.jobs(async () => {
      await client.push({ class: 'Strict', args: ['a', 'b'] });
    });
    await fixture.redis.hset(`sidepunch:batch:${batch.bid}`, 'death_at', '1.0');
    // A workflow whose root, of the old shape, waits for its child.
    const root = await client.pushFlow(Upgrading.childAfter([Strict.child('c', 'd')], 'old@x'));
    await client.close();

    const api = new SidepunchApi({ redis: fixture.server.url });
    const report = await api.checkInFlight(registry);
    await api.close();

    expect(report).toMatchObject({ checked: 4, fit: 2, upgrade: 1, reject: 1 });
    expect(report.groups).toMatchObject([
      { className: 'Strict', verdict: 'reject', count: 1, where: { 'batch-callback': 1 } },
      { className: 'Upgrading', verdict: 'upgrade', count: 1, where: { 'workflow-parent': 1 }, jids: [root] },
    ]);
  });

  dist.it(
    'sidepunch-run check exits once its report is out, though the registry keeps the event loop busy',
    () => {
      // An app's registry often opens something at load (a database pool, a Redis client, a timer): a deploy
      // pipeline waited on the check for ever.
      const busy = path.join(tmpdir(), `busy-registry-${process.pid}.mjs`);
      writeFileSync(busy, 'setInterval(() => {}, 1000);\nexport default { workers: {} };\n');
      const started = Date.now();
      const result = spawnSync(process.execPath, [RUN_BIN, 'check', '--redis', fixture.server.url, busy], {
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(result.signal).toBeNull();
      expect(result).toMatchObject({
        status: 0,
        stdout: 'sidepunch-run check: 0 jobs read: 0 fit, 0 to upgrade, 0 rejected\n',
      });
      expect(Date.now() - started).toBeLessThan(15_000);
    },
  );

  dist.it('sidepunch-run check: a Redis it cannot read is one line, exit 1, without the password', () => {
    const empty = path.join(tmpdir(), `empty-registry-${process.pid}.mjs`);
    writeFileSync(empty, 'export default { workers: {} };\n');
    const result = spawnSync(
      process.execPath,
      [RUN_BIN, 'check', '--redis', 'redis://alice:s3cret@127.0.0.1:1/0', empty],
      { encoding: 'utf8', timeout: 15_000 },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^sidepunch-run check: cannot read redis:\/\/alice:\*\*\*@127\.0\.0\.1:1\/0: ECONNREFUSED \(.+\)\n$/,
    );
    expect(result.stderr + result.stdout).not.toContain('s3cret');
  });

  dist.it('sidepunch-run check: a bad command line or registry is one line', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [RUN_BIN, 'check', ...args], {
        encoding: 'utf8',
        env: { ...process.env, REDIS_URL: '' },
      });
    expect(run()).toMatchObject({
      status: 2,
      stderr: 'sidepunch-run check: check needs the registry file (see --help)\n',
    });
    expect(run('--bogus', 'x.js')).toMatchObject({
      status: 2,
      stderr: 'sidepunch-run check: unknown flag --bogus (see --help)\n',
    });
    expect(run('a.js', 'b.js')).toMatchObject({
      status: 2,
      stderr: 'sidepunch-run check: expected one registry file, got a.js b.js (see --help)\n',
    });
    expect(run('x.js', '--redis')).toMatchObject({
      status: 2,
      stderr: 'sidepunch-run check: flag --redis needs a value (see --help)\n',
    });
    expect(run('--json=yes', 'x.js')).toMatchObject({
      status: 2,
      stderr: 'sidepunch-run check: flag --json takes no value (see --help)\n',
    });
    expect(run('--redis', 'http://x', 'x.js')).toMatchObject({ status: 2 });
    expect(run('--help', 'a.js', 'b.js')).toMatchObject({ status: 0 });
    expect(run('-V')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^sidepunch-run \S+\n$/) });
    const missing = run('--redis', fixture.server.url, path.join(tmpdir(), 'no-such-registry.js'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(
      /^sidepunch-run check: cannot load registry .*no-such-registry\.js: not found/,
    );
    expect(missing.stderr.split('\n')).toHaveLength(2);
    expect(run('--help')).toMatchObject({ status: 0 });
    expect(run('--help').stdout).toContain('Usage: sidepunch-run check [options] <registry.js>');
    const empty = path.join(tmpdir(), `empty-registry-${process.pid}.mjs`);
    writeFileSync(empty, 'export default { workers: {} };\n');
    const clean = run('--redis', fixture.server.url, empty);
    expect(clean).toMatchObject({
      status: 0,
      stdout: 'sidepunch-run check: 0 jobs read: 0 fit, 0 to upgrade, 0 rejected\n',
    });
  });
});
