/**
 * A host that embeds the runtime (`sidepunch/embed`, event types from `sidepunch`) hears each job's events in order,
 * the outcome written last, and stops it like sidepunch-run.
 */
import { describe, expect, it } from 'vitest';
import { defineRegistry, LineLogger, type RuntimeEventMap } from '../../runtime/index.js';
import { freePort } from '../../scripts/redis-server.js';
import { useEmbeddedRuntime } from '../support/embedded.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
const runtimes = useEmbeddedRuntime();

class Greet {
  perform(_name: string): void {}
}
class Broken {
  perform(): void {
    throw new TypeError('broken');
  }
}

describe('a host embedding the runtime', () => {
  it('hears job:start, then job:done or job:failed, then complete:flushed, and job:unperformable', async () => {
    let log = '';
    const logger = new LineLogger('info', { write: (chunk: string) => (log += chunk) });
    const registry = defineRegistry({ workers: { Greet, Broken } });
    const runtime = runtimes.embed(registry, { redis: fixture.server.url, concurrency: 1 }, { logger });
    const { events } = runtime;
    const heard: string[] = [];
    const hear = <E extends keyof RuntimeEventMap>(
      event: E,
      describe: (payload: RuntimeEventMap[E]) => string,
    ) => events.on(event, (payload) => heard.push(`${event} ${describe(payload)}`));
    hear('job:start', ({ className, jid, queue }) => `${className} ${jid} ${queue}`);
    hear('job:done', ({ className, jid }) => `${className} ${jid}`);
    hear('job:failed', ({ className, jid, error }) => `${className} ${jid} ${(error as Error).message}`);
    hear('job:unperformable', ({ raw, queue }) => `${queue} ${raw}`);
    hear('complete:flushed', ({ count, jids }) => `${count} [${jids.join(' ')}]`);

    await runtime.start();
    expect(await fixture.redis.sismember('processes', runtime.identity)).toBe(1);

    let flushed = events.next('complete:flushed');
    const greeted = await fixture.client.push({ class: 'Greet', args: ['Ada'] });
    await flushed;
    flushed = events.next('complete:flushed');
    const broken = await fixture.client.push({ class: 'Broken', args: [] });
    await flushed;
    flushed = events.next('complete:flushed');
    const unperformable = events.next('job:unperformable');
    await fixture.redis.lpush('queue:default', 'not a job');
    expect((await unperformable).reason).toMatch(/^payload is not JSON/);
    await flushed;

    expect(heard).toEqual([
      `job:start Greet ${greeted} default`,
      `job:done Greet ${greeted}`,
      `complete:flushed 1 [${greeted}]`,
      `job:start Broken ${broken} default`,
      `job:failed Broken ${broken} broken`,
      `complete:flushed 1 [${broken}]`,
      'job:unperformable default not a job',
      'complete:flushed 1 []',
    ]);
    expect(await fixture.redis.zcard('retry')).toBe(1);
    expect(await fixture.redis.zrange('dead', 0, -1)).toEqual(['not a job']);
    expect(await runtime.stop()).toBe(true);
    expect(await fixture.redis.sismember('processes', runtime.identity)).toBe(0);
    expect(log).toMatch(/INFO: bye/);
  });

  it("hands the job lines to the host's (fields, message) logger, pino's order", async () => {
    const lines: [level: string, fields: Record<string, unknown>, message: string][] = [];
    const line = (level: string) => (fields: Record<string, string | number>, message: string) =>
      lines.push([level, fields, message]);
    const hostLogger = {
      debug: line('debug'),
      info: line('info'),
      warn: line('warn'),
      error: line('error'),
      isLevelEnabled: (level: string) => level !== 'debug',
    };
    const registry = defineRegistry({ workers: { Greet, Broken } });
    const runtime = runtimes.embed(
      registry,
      { redis: fixture.server.url, concurrency: 1 },
      { logger: hostLogger },
    );
    await runtime.start();
    let flushed = runtime.events.next('complete:flushed');
    const greeted = (await fixture.client.push({ class: 'Greet', args: ['Ada'] }))!;
    await flushed;
    flushed = runtime.events.next('complete:flushed');
    const broken = (await fixture.client.push({ class: 'Broken', args: [] }))!;
    await flushed;

    const ofJob = (jid: string) => lines.filter(([, fields]) => fields.jid === jid);
    expect(ofJob(greeted)).toEqual([
      ['info', { class: 'Greet', jid: greeted }, 'start'],
      ['info', { class: 'Greet', jid: greeted, elapsed: expect.stringMatching(/^\d+\.\d{3}$/) }, 'done'],
    ]);
    expect(ofJob(broken)[1]).toEqual([
      'warn',
      {
        class: 'Broken',
        jid: broken,
        elapsed: expect.any(String),
        stack: expect.stringMatching(/^at Broken\.perform \(.*embedding\.test\.ts:\d+:\d+\)\n/),
      },
      'fail: TypeError: broken',
    ]);
    expect(lines.some(([level]) => level === 'debug')).toBe(false);
  });

  it('a listener that throws is logged, and the job still runs and is acknowledged', async () => {
    let log = '';
    const logger = new LineLogger('info', { write: (chunk: string) => (log += chunk) });
    const runtime = runtimes.embed(
      defineRegistry({ workers: { Greet } }),
      { redis: fixture.server.url },
      { logger },
    );
    const { events } = runtime;
    for (const event of ['job:start', 'job:done', 'complete:flushed'] as const) {
      events.on(event, () => {
        throw new Error(`${event} listener broke`);
      });
    }
    await runtime.start();
    const flushed = events.next('complete:flushed');
    const jid = await fixture.client.push({ class: 'Greet', args: ['Ada'] });
    expect((await flushed).jids).toEqual([jid]);

    expect(await fixture.redis.llen('queue:default')).toBe(0);
    expect(await fixture.redis.get('stat:processed')).toBe('1');
    expect(await fixture.redis.get('stat:failed')).toBeNull();
    expect(await fixture.redis.zcard('retry')).toBe(0);
    logger.flush();
    for (const event of ['job:start', 'job:done', 'complete:flushed']) {
      expect(log).toContain(`a ${event} listener threw: Error: ${event} listener broke`);
    }
  });
  it('a job stop() gave back to its queue has no job:done when its perform returns later, as the host lives on', async () => {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    class Slow {
      async perform(): Promise<void> {
        await finished; // ignores its signal: still running when stop()'s timeout ends
      }
    }
    let log = '';
    const logger = new LineLogger('info', { write: (chunk: string) => (log += chunk) });
    const registry = defineRegistry({ workers: { Slow } });
    const runtime = runtimes.embed(registry, { redis: fixture.server.url, timeout: 1 }, { logger });
    const heard: string[] = [];
    runtime.events.on('job:done', ({ jid }) => heard.push(`job:done ${jid}`));
    runtime.events.on('job:failed', ({ jid }) => heard.push(`job:failed ${jid}`));
    await runtime.start();
    const started = runtime.events.next('job:start');
    const jid = await fixture.client.push({ class: 'Slow', args: [] });
    await started;
    expect(await runtime.stop()).toBe(true);
    const queued = await fixture.redis.lrange('queue:default', 0, -1);
    expect(queued.map((job) => JSON.parse(job).jid)).toEqual([jid]);

    finish();
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual([]);
    expect(await fixture.redis.get('stat:processed')).toBeNull();
    logger.flush();
    expect(log).not.toMatch(/INFO: done/);
    expect(log).toMatch(/finished after shutdown gave it back to its queue/);
  });

  it('start() settles once stop() is called, when Redis was never reached', async () => {
    const registry = defineRegistry({ workers: { Greet } });
    const silent = new LineLogger('error', { write: () => {} });
    const nowhere = `redis://127.0.0.1:${await freePort()}/0`;
    const runtime = runtimes.embed(registry, { redis: nowhere, timeout: 1 }, { logger: silent });
    const started = runtime.start().then(
      () => 'resolved',
      () => 'rejected',
    );
    // Until stop(), start() waits for Redis, however long it takes.
    expect(await Promise.race([started, new Promise((resolve) => setTimeout(resolve, 300, 'waiting'))])).toBe(
      'waiting',
    );
    expect(await runtime.stop()).toBe(false); // it never registered
    expect(await started).toMatch(/resolved|rejected/);
  }, 20_000);

  it('a registry that is not one is refused in one line, as sidepunch-run refuses it', () => {
    const namespace = { default: defineRegistry({ workers: { Greet } }) };
    expect(() => runtimes.embed(namespace as never, { redis: fixture.server.url })).toThrow(
      /is not a Sidepunch registry: .*\.default/,
    );
    expect(() => runtimes.embed(undefined as never, { redis: fixture.server.url })).toThrow(
      /is not a Sidepunch registry/,
    );
  });
});
