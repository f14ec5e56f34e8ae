import { afterEach, describe, expect, it } from 'vitest';
import { errorHandlers } from '../../runtime/core/handlers.js';
import type { SidepunchWorker } from '../../runtime/core/worker.js';
import { type ServerNext, serverMiddleware } from '../../runtime/middleware/server-middleware.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
const log: string[] = [];
let runtime: InProcessRuntime | undefined;

afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
  serverMiddleware.clear();
  errorHandlers.clear();
  log.length = 0;
});

class Work implements SidepunchWorker {
  static sidepunchOptions = { queue: 'work' };
  jid?: string;
  perform(what: string): void {
    log.push(`perform ${what}`);
    if (what === 'fail') throw new TypeError('it broke');
  }
}

function start(options: Parameters<typeof startInProcess>[2] = {}) {
  runtime = startInProcess(fixture.server.url, { Work }, { queues: ['work'], ...options });
  return runtime;
}

const processed = async () => Number(await fixture.redis.get('stat:processed'));

describe('server middleware', () => {
  it('runs in order around perform, with the worker, its jid and the queue', async () => {
    serverMiddleware.add(async (job, next, { worker, queue }) => {
      log.push(`outer ${job.class} ${worker.jid === job.jid} ${queue}`);
      await next();
      log.push('outer done');
    });
    serverMiddleware.prepend({
      async call(_job: unknown, next: ServerNext) {
        log.push('first');
        await next();
        log.push('first done');
      },
    });
    const acknowledged = start().next('complete:flushed');
    await fixture.client.push({ class: 'Work', args: ['ok'], queue: 'work' });
    await acknowledged;
    expect(await processed()).toBe(1);
    expect(log).toEqual(['first', 'outer Work true work', 'perform ok', 'outer done', 'first done']);
  });

  it('a middleware that does not call next skips the job: not performed, acknowledged as done', async () => {
    serverMiddleware.add((job, next) => (job.args[0] === 'skip me' ? undefined : next()));
    const { log: output, next } = start();
    const acknowledged = next('complete:flushed');
    await fixture.client.push({ class: 'Work', args: ['skip me'], queue: 'work' });
    await acknowledged;
    expect(await processed()).toBe(1);
    expect(log).toEqual([]);
    expect(await fixture.redis.get('stat:failed')).toBeNull();
    expect(await fixture.redis.llen('queue:work')).toBe(0);
    expect(await fixture.redis.zcard('retry')).toBe(0);
    expect(output()).toMatch(/class=Work jid=\w+ elapsed=[\d.]+ INFO: skipped by server middleware/);
  });

  it('can tag a job’s error: the retry records the tagged error, and error handlers run in their order', async () => {
    serverMiddleware.add(async (job, next) => {
      try {
        await next();
      } catch (error) {
        (error as Error).message = `[${job.class} on ${job.queue}] ${(error as Error).message}`;
        throw error;
      }
    });
    errorHandlers.add((error) => void log.push(`handler B: ${(error as Error).message}`));
    errorHandlers.prepend(() => void log.push('handler A'));
    const retried = start().next('complete:flushed');
    await fixture.client.push({ class: 'Work', args: ['fail'], queue: 'work' });
    await retried;
    expect(await fixture.redis.zcard('retry')).toBe(1);
    const [member] = await fixture.redis.zrange('retry', 0, -1);
    expect(JSON.parse(member!)).toMatchObject({
      error_class: 'TypeError',
      error_message: '[Work on work] it broke',
      retry_count: 0,
    });
    expect(log).toEqual(['perform fail', 'handler A', 'handler B: [Work on work] it broke']);
  });

  it('the registry’s configureServer adds middleware before the first job, with the runtime’s settings', async () => {
    const { next } = start({
      concurrency: 3,
      configureServer(server) {
        server.serverMiddleware.add((_job, next) => {
          log.push(`configured with -c ${server.config.concurrency}`);
          return next();
        });
      },
    });
    const acknowledged = next('complete:flushed');
    await fixture.client.push({ class: 'Work', args: ['ok'], queue: 'work' });
    await acknowledged;
    expect(await processed()).toBe(1);
    expect(log).toEqual(['configured with -c 3', 'perform ok']);
  });

  it('configureServer’s shutdown hooks run in order at stop, after the last job; one that throws is logged', async () => {
    const runtime = start({
      configureServer(server) {
        server.onShutdown(async () => {
          log.push(`first hook, ${await processed()} processed`);
          throw new Error('exporter unreachable');
        });
        server.onShutdown(() => void log.push('second hook'));
      },
    });
    const acknowledged = runtime.next('complete:flushed');
    await fixture.client.push({ class: 'Work', args: ['ok'], queue: 'work' });
    await acknowledged;
    expect(log).toEqual(['perform ok']);
    await runtime.stop();
    expect(log).toEqual(['perform ok', 'first hook, 1 processed', 'second hook']);
    expect(runtime.log()).toMatch(/ERROR: shutdown hook threw: Error: exporter unreachable/);
  });
});
