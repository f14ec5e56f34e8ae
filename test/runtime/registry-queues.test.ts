/**
 * Without -q, sidepunch-run works `default` plus every queue the registry's workers declare, and says so at start;
 * with -q, it warns about each declared queue it leaves out. A job pushed through its worker's options (the class,
 * or a stub through the default client) is never left in a queue that no process works.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { declaredQueues } from '../../runtime/core/registry.js';
import { close, configure, defineRegistry, LineLogger, periodic, workerStub } from '../../runtime/index.js';
import { queueOrder } from '../../runtime/server/queue-order.js';
import { withRegistryQueues } from '../../runtime/server/registry-queues.js';
import { resolveConfig } from '../../runtime/server/run-config.js';
import { useEmbeddedRuntime } from '../support/embedded.js';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT, waitUntil } from '../support/runtime-process.js';

const MAILER_REGISTRY = `${REPO_ROOT}fixtures/registries/mailer.mjs`;
const QUEUE_LINE = /INFO: queues: default, mail \(from the registry; -q to choose\)$/;
const MISSING_LINE =
  /WARN: registry workers use queue "mail", which this process does not work \(-q default\)$/;

/** What the fixture registry's Mailer looks like to a pushing app: its name and its options, no perform code. */
class Mailer {
  static sidepunchOptions = { queue: 'mail' };
  perform(): void {}
}
class Report {
  static sidepunchOptions = { queue: 'reports', retry_queue: 'slow' };
  perform(): void {}
}
class Plain {
  perform(): void {}
}

describe('the queues a registry declares (no Redis)', () => {
  it('are each worker queue and retry_queue, once, in registry order', () => {
    const registry = defineRegistry({ workers: { Mailer, Report, Plain, Again: Mailer } });
    expect(declaredQueues(registry)).toEqual(['mail', 'reports', 'slow']);
  });

  it("include the periodic entries' queues", () => {
    const registry = defineRegistry({
      workers: { Mailer, Plain },
      periodic: [periodic('nightly', '@daily', workerStub<[]>('Plain'), [], { queue: 'nightly' })],
    });
    expect(declaredQueues(registry)).toEqual(['mail', 'nightly']);
  });

  it('are worked beside default when no -q is given, and -q replaces them', () => {
    const registry = defineRegistry({ workers: { Mailer, Report } });
    const unflagged = withRegistryQueues(resolveConfig({ registryPath: 'r.js' }, {}), registry);
    expect(unflagged.queues.map((queue) => [queue.name, queue.weight])).toEqual([
      ['default', 1],
      ['mail', 1],
      ['reports', 1],
      ['slow', 1],
    ]);
    const flagged = resolveConfig({ registryPath: 'r.js', queues: ['mail'] }, {});
    expect(withRegistryQueues(flagged, registry)).toBe(flagged);
  });

  it('are tried in a fresh random order per fetch; default alone stays a strict, unweighted fetch', () => {
    const queues = ['default', 'mail', 'reports'].map((name) => ({ name, weight: 1 }));
    const order = queueOrder(queues, Math.random, 'registry');
    expect(order.weighted).toBe(true);
    const firsts = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const drawn = order();
      expect([...drawn].sort()).toEqual(['default', 'mail', 'reports']);
      firsts.add(drawn[0]!);
    }
    expect(firsts).toEqual(new Set(['default', 'mail', 'reports']));
    expect(queueOrder([{ name: 'default', weight: 1 }], Math.random, 'registry').weighted).toBe(false);
  });
});

describe('sidepunch-run and the registry queues', () => {
  const fixture = useRedis();
  const done = (tag: string) => fixture.redis.lrange(`probe:done:${tag}`, 0, -1);
  afterEach(() => close());

  it('without -q, works the queue a worker declares and names the queues in one line', async () => {
    const byClass = await fixture.client.push({ class: Mailer, args: ['ok', 'mail'] });
    // A generated stub carries the worker's options and pushes through the default client.
    configure({ redis: fixture.server.url });
    const byStub = await workerStub<[string, string]>('Mailer', { queue: 'mail' }).performAsync('ok', 'mail');
    expect(await fixture.redis.llen('queue:mail')).toBe(2);

    const runtime = fixture.run([], { registry: MAILER_REGISTRY });
    await runtime.waitForLine(QUEUE_LINE);
    await waitUntil('both mail jobs performed', async () => (await done('mail')).length === 2);
    expect((await done('mail')).sort()).toEqual([byClass, byStub].sort());
    expect(runtime.output()).not.toMatch(/WARN: registry workers use/);
  });

  it('with -q, warns once about the declared queue it leaves out, and leaves its jobs alone', async () => {
    await fixture.client.push({ class: Mailer, args: ['ok', 'mail'] });
    const runtime = fixture.run(['-q', 'default'], { registry: MAILER_REGISTRY });
    await runtime.waitForLine(MISSING_LINE);
    // A job in `default`, pushed after start, performed: the fetch loop has run past `mail`.
    await fixture.client.push({ class: 'Probe', args: ['ok', 'default'] });
    await waitUntil('the default job performed', async () => (await done('default')).length === 1);
    expect(await fixture.redis.llen('queue:mail')).toBe(1);
    expect(runtime.output().match(/registry workers use/g)).toHaveLength(1);
    expect(runtime.output()).not.toMatch(/INFO: queues:/);
  });

  it('--threads: each thread works the registry queues; the process says so once', async () => {
    await fixture.client.pushBulk({
      class: Mailer,
      args: [
        ['ok', 'mail'],
        ['ok', 'mail'],
      ],
    });
    const runtime = fixture.run(['--threads', '2', '-c', '1'], { registry: MAILER_REGISTRY });
    await waitUntil('both mail jobs performed', async () => (await done('mail')).length === 2);
    const starts = /sidepunch-run starting: .* queues=default mail /;
    await waitUntil(
      'both threads started',
      () => runtime.output().match(new RegExp(starts, 'g'))?.length === 2,
    );
    expect(runtime.output().match(/INFO: queues: /g)).toHaveLength(1);
  });

  it('--processes: every child works the registry queues and says so once', async () => {
    await fixture.client.pushBulk({
      class: Mailer,
      args: [
        ['ok', 'mail'],
        ['ok', 'mail'],
      ],
    });
    const runtime = fixture.run(['--processes', '2', '-c', '1'], { registry: MAILER_REGISTRY });
    await waitUntil('both mail jobs performed', async () => (await done('mail')).length === 2);
    await waitUntil('both children started', () => runtime.output().match(/INFO: queues: /g)?.length === 2);
    const pids = [...runtime.output().matchAll(/pid=(\d+) INFO: queues: default, mail /g)].map((m) => m[1]);
    expect(new Set(pids).size).toBe(2);
  });
});

describe('an embedded runtime without queues', () => {
  const fixture = useRedis();
  const runtimes = useEmbeddedRuntime();

  it('works the queues its registry declares too, as sidepunch-run does', async () => {
    let log = '';
    const logger = new LineLogger('info', { write: (chunk: string) => (log += chunk) });
    const runtime = runtimes.embed(
      defineRegistry({ workers: { Mailer } }),
      { redis: fixture.server.url },
      { logger },
    );
    await runtime.start();
    const flushed = runtime.events.next('complete:flushed');
    const jid = await fixture.client.push({ class: Mailer, args: [] });
    expect((await flushed).jids).toEqual([jid]);
    logger.flush();
    expect(log).toMatch(/INFO: queues: default, mail \(from the registry; -q to choose\)/);
  });
});
