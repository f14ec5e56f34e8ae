/**
 * Cluster mode on a real local Redis Cluster (three primaries, one replica each): push, perform, retry, schedule and
 * dead all work with Sidekiq's key names, and a move from `schedule` or `retry` that a crash left half done is
 * finished without loss or a second push. The probe worker records on a separate Redis (REDIS_URL).
 */
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../runtime/core/logger.js';
import { Client, SidepunchApi, startWebServer } from '../../runtime/index.js';
import { Keys } from '../../runtime/redis/keys.js';
import { Launcher } from '../../runtime/server/launcher.js';
import { resolveConfig } from '../../runtime/server/run-config.js';
import { type RedisCluster, startRedisCluster } from '../../scripts/redis-cluster.js';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../../scripts/redis-server.js';
import {
  PROBE_REGISTRY,
  REPO_ROOT,
  type RuntimeProcess,
  startRuntime,
  waitUntil,
} from '../support/runtime-process.js';

let cluster: RedisCluster;
let redis: Cluster;
let results: RedisServer;
let resultsRedis: Redis;
let client: Client;
let runtime: RuntimeProcess | undefined;
let keys: Keys;
/** The client and the runtime connect as an ACL user (the test's own connection as the default user). */
const PASSWORD = 'cluster-Pa55';
let url: string;

beforeAll(async () => {
  [cluster, results] = await Promise.all([
    startRedisCluster({ args: ['--user', 'alice', 'on', `>${PASSWORD}`, '~*', '&*', '+@all'] }),
    startRedisServer(),
  ]);
  url = cluster.url.replace('//', `//alice:${PASSWORD}@`);
  redis = cluster.connect();
  keys = Keys.for(redis);
  resultsRedis = results.connect();
});
afterAll(async () => {
  await cluster?.stop();
  await destroyRedisServer(results);
});
beforeEach(async () => {
  await Promise.all(
    cluster.nodes.map((node) =>
      node
        .connect()
        .flushall()
        .catch(() => {}),
    ),
  );
  await resultsRedis.flushall();
  client = new Client({ redis: url });
});
afterEach(async () => {
  await client.close();
  await runtime?.stop('SIGKILL');
  runtime = undefined;
});

function run(...args: string[]): RuntimeProcess {
  runtime = startRuntime(
    url,
    ['--poll-interval', '0.2', '--heartbeat', '0.5', '--process-ttl', '1', ...args, PROBE_REGISTRY],
    { REDIS_URL: results.url },
  );
  return runtime;
}

const done = (tag: string) => resultsRedis.lrange(`probe:done:${tag}`, 0, -1);

describe('cluster mode', () => {
  it('a queue, its in-progress lists, and each set with its staging lists share a hash slot', async () => {
    const slot = (key: string) => redis.cluster('KEYSLOT', key);
    expect(await slot(keys.inProgress('host:1:abc', 'critical'))).toBe(await slot(keys.queue('critical')));
    expect(await slot(keys.promoted('critical'))).toBe(await slot(keys.queue('critical')));
    expect(await slot(keys.rescueCountPrefix('critical'))).toBe(await slot(keys.queue('critical')));
    expect(await slot(keys.aloneCrashCountPrefix('critical'))).toBe(await slot(keys.queue('critical')));
    expect(await slot(keys.promoting(keys.schedule, 'host:1:abc'))).toBe(await slot(keys.schedule));
    expect(await slot(keys.promoting(keys.retry, 'host:1:abc'))).toBe(await slot(keys.retry));
    expect(await slot(keys.queue('critical'))).not.toBe(await slot(keys.schedule));
  });

  it("the runtime's keys and the data API's carry the hash tags, as they are on a cluster connection", async () => {
    const slot = (key: string) => redis.cluster('KEYSLOT', key);
    const api = new SidepunchApi({ redis: url });
    const config = resolveConfig({ registryPath: '(test registry)', redis: url }, {});
    const launcher = new Launcher(config, { workers: {} }, { logger: silentLogger });
    await launcher.start();
    try {
      for (const theirs of [api.connection.keys, launcher.ctx.keys]) {
        expect(await slot(theirs.rescueCountPrefix('critical'))).toBe(await slot(keys.queue('critical')));
        expect(await slot(theirs.aloneCrashCountPrefix('critical'))).toBe(await slot(keys.queue('critical')));
      }
    } finally {
      await api.close();
      expect(await launcher.stop()).toBe(true);
    }
  });

  it('push, perform, schedule, retry and dead work, with Sidekiq key names read across nodes', async () => {
    const jidsA = await client.pushBulk({
      class: 'Probe',
      queue: 'a',
      args: Array.from({ length: 300 }, () => ['ok', 'a']),
    });
    const jidsB = await client.pushBulk({
      class: 'Probe',
      queue: 'b',
      args: Array.from({ length: 300 }, () => ['ok', 'b']),
    });
    const scheduled = await client.push({ class: 'Probe', queue: 'a', args: ['ok', 'later'], in: 0.5 });
    const failing = await client.push({ class: 'Probe', queue: 'b', args: ['fail', 'boom'], retry: 1 });
    expect((await redis.smembers('queues')).sort()).toEqual(['a', 'b']);
    expect(await redis.llen('queue:a')).toBe(300);
    expect(await redis.zcard('schedule')).toBe(1);

    run('-q', 'a', '-q', 'b', '-c', '20');
    await waitUntil(
      'the queued jobs',
      async () => (await done('a')).length === 300 && (await done('b')).length === 300,
    );
    expect(new Set(await done('a'))).toEqual(new Set(jidsA));
    expect(new Set(await done('b'))).toEqual(new Set(jidsB));
    await waitUntil('the scheduled job', async () => (await done('later')).length === 1);
    expect(await done('later')).toEqual([scheduled]);

    await waitUntil('the failed job in the retry set', async () => (await redis.zcard('retry')) === 1);
    const [retryEntry] = await redis.zrange('retry', 0, -1);
    expect(JSON.parse(retryEntry!)).toMatchObject({ jid: failing, retry_count: 0, error_message: 'boom' });
    await redis.zadd('retry', 0, retryEntry!); // due now
    await waitUntil('the retried job in the dead set', async () => (await redis.zcard('dead')) === 1);
    const [deadEntry] = await redis.zrange('dead', 0, -1);
    expect(JSON.parse(deadEntry!)).toMatchObject({ jid: failing, retry_count: 1, queue: 'b' });

    await waitUntil('outcomes written', async () => Number(await redis.get('stat:processed')) === 603);
    expect(await redis.get('stat:failed')).toBe('2');
    const identity = (await redis.smembers('processes'))[0]!;
    expect(await redis.hget(identity, 'info')).toContain('"queues":["a","b"]');
    for (const queue of ['a', 'b']) {
      expect(await redis.llen(`queue:${queue}`)).toBe(0);
      expect(await redis.llen(keys.inProgress(identity, queue))).toBe(0);
      expect(await redis.scard(keys.promoted(queue))).toBe(0);
    }
    expect(await redis.llen(keys.promoting('schedule', identity))).toBe(0);
    const clients = (await cluster.nodes[0]!.connect().client('LIST')) as string;
    expect(clients.split('\n').find((line) => line.includes('name=sidepunch-fetch '))).toContain(
      'user=alice',
    );
    expect(await runtime!.stop('SIGTERM')).toBe(0);
    expect(runtime!.output()).not.toContain(PASSWORD);
  });

  it('queue names with braces keep their companions in their slot: perform, schedule and retry work', async () => {
    // `{eu}orders` hashes by its own tag; `a}b` and `x{}` are hashed whole, and a `}` cannot sit inside a tag.
    const queues = ['{eu}orders', 'a}b', 'x{}'];
    const slot = (key: string) => redis.cluster('KEYSLOT', key);
    for (const queue of queues) {
      for (const companion of [
        keys.inProgress('host:1:abc', queue),
        keys.promoted(queue),
        keys.suspects(queue),
        keys.rescueCountPrefix(queue),
      ])
        expect({ companion, slot: await slot(companion) }).toEqual({
          companion,
          slot: await slot(keys.queue(queue)),
        });
    }
    // A name that already shared the slot keeps it: a namespace with a tag of its own hashes both by that tag.
    expect(Keys.for(redis, '{app}').inProgress('host:1:abc', 'x')).toBe(
      '{app}:sidepunch:in-progress:{{app}:queue:x}:host:1:abc',
    );
    // Companions of two queues sharing a tag are still two keys.
    expect(keys.inProgress('host:1:abc', '{eu}orders')).not.toBe(
      keys.inProgress('host:1:abc', '{eu}refunds'),
    );

    for (const queue of queues) {
      await client.push({ class: 'Probe', queue, args: ['ok', `now ${queue}`] });
      await client.push({ class: 'Probe', queue, args: ['ok', `later ${queue}`], in: 0.3 });
      await client.push({ class: 'Probe', queue, args: ['fail', 'boom'], retry: 0 });
    }
    run(...queues.flatMap((queue) => ['-q', queue]));
    for (const queue of queues) {
      await waitUntil(`the jobs of ${queue}`, async () => (await done(`now ${queue}`)).length === 1);
      await waitUntil(
        `the scheduled job of ${queue}`,
        async () => (await done(`later ${queue}`)).length === 1,
      );
    }
    await waitUntil('the failures in the dead set', async () => (await redis.zcard('dead')) === 3);
    expect(await runtime!.stop('SIGTERM')).toBe(0);
    expect(runtime!.output()).not.toContain('CROSSSLOT');
  });

  it('a move from schedule a dead process left half done is finished: nothing lost, nothing pushed twice', async () => {
    const dead = 'gone-host:1:dead';
    const job = (tag: string) =>
      JSON.stringify({
        retry: true,
        queue: 'a',
        args: ['ok', tag],
        class: 'Probe',
        jid: `jid-${tag}`,
        enqueued_at: 1,
      });
    // It had staged two jobs, and pushed the first (its SHA-1 in the marker set) before it died.
    await redis.lpush(keys.promoting('schedule', dead), job('pushed'), job('staged'));
    await redis.lpush('queue:a', job('pushed'));
    await redis.sadd(keys.promoted('a'), createHash('sha1').update(job('pushed')).digest('hex'));
    await redis.hset('sidepunch:process-queues', dead, '["a"]');

    run('-q', 'a');
    await waitUntil(
      'both jobs',
      async () => (await done('pushed')).length + (await done('staged')).length === 2,
    );
    await waitUntil(
      'the dead process forgotten',
      async () => (await redis.hexists('sidepunch:process-queues', dead)) === 0,
    );
    expect(await done('pushed')).toEqual(['jid-pushed']);
    expect(await done('staged')).toEqual(['jid-staged']);
    expect(await redis.llen(keys.promoting('schedule', dead))).toBe(0);
    expect(await redis.scard(keys.promoted('a'))).toBe(0);
    // The log line is written after the rescue's Redis writes (stdout is flushed once per turn): wait for it.
    await runtime!.waitForLine(/rescued 1 job\(s\) left in progress by dead process gone-host:1:dead/);
  });

  it("serves the dashboard's pages on a cluster, and moves jobs between a set and a queue or the dead set", async () => {
    await client.push({ class: 'Probe', args: ['ok', 'web'] });
    await client.push({ class: 'Probe', args: ['ok', 'later'], in: 3600 });
    const web = await startWebServer({ redis: url, port: 0 });
    try {
      for (const path of ['/', '/busy', '/queues', '/queues/default', '/retries', '/scheduled', '/morgue']) {
        const response = await fetch(`${web.url}${path}`);
        const why = /role="alert">([^<]*)/.exec(await response.text())?.[1];
        expect(response.status, `${path}: ${why}`).toBe(200);
      }
      const stats = (await (await fetch(`${web.url}/stats`)).json()) as { sidekiq: Record<string, number> };
      expect(stats.sidekiq).toMatchObject({ enqueued: 1, scheduled: 1 });

      const page = await fetch(`${web.url}/scheduled`);
      const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
      const token = cookie.split('=')[1]!;
      const post = (path: string, action: string) =>
        fetch(`${web.url}${path}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
          body: `action=${action}&authenticity_token=${token}`,
        });
      // Add to Queue: `schedule` and `queue:default` are in different slots.
      expect((await post('/scheduled/all', 'add_to_queue')).status).toBe(303);
      expect(await redis.zcard(keys.schedule)).toBe(0);
      expect(await redis.llen(keys.queue('default'))).toBe(2);

      // Kill then Retry, through the API, from `retry` to `dead` and from `dead` to a queue.
      await redis.del(keys.queue('default'));
      await client.push({ class: 'Probe', args: ['ok', 'failed'], queue: 'other' });
      const stored = (await redis.rpop(keys.queue('other')))!;
      const failed = JSON.stringify({ ...JSON.parse(stored), retry_count: 2, error_message: 'boom' });
      await redis.zadd(keys.retry, Date.now() / 1000 + 600, failed);
      const api = new SidepunchApi({ redis: url });
      try {
        const [entry] = await api.retries.page(0, 1);
        expect(await entry!.kill()).toBe(true);
        expect(await redis.zcard(keys.retry)).toBe(0);
        const [dead] = await api.dead.page(0, 1);
        expect(dead?.args).toEqual(['ok', 'failed']);
        expect((await post('/morgue/all', 'retry')).status).toBe(303);
        expect(await redis.zcard(keys.dead)).toBe(0);
        const [requeued] = (await redis.lrange(keys.queue('other'), 0, -1)).map((raw) => JSON.parse(raw));
        expect(requeued).toMatchObject({ args: ['ok', 'failed'], queue: 'other' });
        expect(await redis.smembers(keys.queues)).toEqual(expect.arrayContaining(['default', 'other']));
        // A second move of the same entry finds it gone and pushes nothing.
        expect(await entry!.retry()).toBe(false);
        expect(await redis.llen(keys.queue('other'))).toBe(1);
      } finally {
        await api.close();
      }
    } finally {
      await web.close();
    }
  });

  it('a job blocking its loop 4 s, past a 2 s process TTL, runs once beside another process', async () => {
    // The heartbeat keeper thread keeps the process and work hashes alive, on whichever nodes they live. A 2 s
    // TTL: with two test files at once, a 1 s one expired while the keeper thread waited for a core.
    const busy = () =>
      startRuntime(
        url,
        ['--heartbeat', '0.25', '--process-ttl', '2', '-v', `${REPO_ROOT}fixtures/registries/busy.mjs`],
        { REDIS_URL: results.url },
      );
    runtime = busy();
    await waitUntil('registered', async () => (await redis.scard('processes')) === 1);
    // Its keeper thread loads ioredis and finds the cluster's slots first; a loop blocked before that is not
    // covered (it failed so under load, with both runs of the job).
    await runtime.waitForLine(/heartbeat keeper thread ready/);
    const jid = await client.push({ class: 'Busy', args: [4000, 'blocked'] });
    await waitUntil('it runs', async () => (await resultsRedis.llen('probe:started:blocked')) === 1);
    const other = busy();
    try {
      await waitUntil('the other process is registered', async () => (await redis.scard('processes')) === 2);
      await waitUntil(
        'it is done',
        async () => (await resultsRedis.llen('probe:done:blocked')) === 1,
        20_000,
      );
      await runtime.waitForLine(/event loop blocked for \d+\.\d s/);
      expect(await resultsRedis.lrange('probe:started:blocked', 0, -1)).toEqual([jid]);
      expect(other.output()).not.toMatch(/rescued \d+ job/);
    } finally {
      await other.stop('SIGKILL');
    }
  });

  it('every primary losing its scripts mid-run (as a promoted replica has none): every outcome written once', async () => {
    // A failover in CI left a runtime retrying one batch's acknowledgements forever on NOSCRIPT (slot-batch.ts).
    run('-c', '10');
    const push = (count: number) =>
      client.pushBulk({ class: 'Probe', args: Array.from({ length: count }, () => ['ok', 'flushed']) });
    const first = await push(300);
    await waitUntil('the first jobs counted', async () => Number(await redis.get('stat:processed')) >= 300);
    await Promise.all(cluster.nodes.map((node) => node.connect().script('FLUSH')));
    const second = await push(1_500);
    const total = first.length + second.length;
    const inProgress = keys.inProgress((await redis.smembers('processes'))[0]!, 'default');
    await waitUntil(
      'every outcome written',
      async () => Number(await redis.get('stat:processed')) >= total && (await redis.llen(inProgress)) === 0,
      15_000,
    );
    expect(Number(await redis.get('stat:processed'))).toBe(total);
    expect(runtime!.output()).not.toMatch(/NOSCRIPT/);
  });

  it('a wrong password: one warning that says so, without the password', async () => {
    runtime = startRuntime(url.replace(PASSWORD, 'wrong-Pa55'), [PROBE_REGISTRY], { REDIS_URL: results.url });
    const line = await runtime.waitForLine(/cannot reach Redis/);
    expect(line).toMatch(
      /WARN: fetch: cannot reach Redis at redis\+cluster:\/\/alice:\*\*\*@127\.0\.0\.1:\d+,\S+ \(Failed to refresh slots cache: WRONGPASS/,
    );
    expect(runtime.output()).not.toContain('wrong-Pa55');
  });

  it('a registry with periodic entries is refused in one line, exit 1: alone, with --threads and with --processes', async () => {
    const registry = `${REPO_ROOT}fixtures/registries/periodic.mjs`;
    for (const mode of [[], ['--threads', '2'], ['--processes', '2']]) {
      runtime = startRuntime(url, [...mode, registry], { REDIS_URL: results.url });
      // Not a thread or child refused and restarted again and again.
      const late = new Promise((resolve) => setTimeout(() => resolve('still running 15 s later'), 15_000));
      expect(await Promise.race([runtime.exited, late]), mode.join(' ')).toBe(1);
      expect(runtime.output()).toBe(
        `sidepunch-run: ${registry}: periodic entries need one Redis (or Sentinel): Redis Cluster is not supported yet\n`,
      );
    }
  });
});
