import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { push } from '../../runtime/client/default-client.js';
import { clientMiddleware } from '../../runtime/middleware/client-middleware.js';
import {
  allJobs,
  clearAll,
  disable,
  drainAll,
  EmptyQueueError,
  fake,
  registerWorkers,
  worker,
} from '../../runtime/testing/sidepunch-testing.js';
import { Chain, Explode, Greet, jobs, performed, TakesDate } from './support.js';

beforeAll(() => registerWorkers({ Greet, Chain, Explode, TakesDate }));
beforeEach(() => fake());
afterEach(() => {
  clearAll();
  disable();
  performed.length = 0;
  clientMiddleware.clear();
});

describe('fake mode', () => {
  it('records pushed jobs in memory, typed by the stub, with the payload Redis would hold', async () => {
    const jid = await jobs.Greet.performAsync('ada', 2);
    const [job, ...rest] = worker(jobs.Greet).jobs;
    expect(rest).toEqual([]);
    expect(job).toMatchObject({ jid, class: 'Greet', args: ['ada', 2], queue: 'mail' });
    const [name, times]: [string, number?] = job!.args;
    expect([name, times]).toEqual(['ada', 2]);
    expect(job!.payload).toMatchObject({ retry: true, queue: 'mail', jid, class: 'Greet' });
    expect(typeof job!.payload.enqueued_at).toBe('number');
    expect(performed).toEqual([]);
  });

  it('keeps scheduled jobs with their time', async () => {
    const before = Date.now() / 1000;
    await jobs.Greet.performIn(60, 'later');
    await jobs.Greet.performAt(new Date(Date.UTC(2040, 0, 1)), 'much later');
    const [inAMinute, in2040] = worker(jobs.Greet).jobs;
    expect(inAMinute!.at).toBeGreaterThanOrEqual(before + 60);
    expect(inAMinute!.at).toBeLessThan(before + 62);
    expect(in2040!.at).toBe(Date.UTC(2040, 0, 1) / 1000);
    expect(in2040!.payload.enqueued_at).toBeUndefined();
  });

  it('drain performs a worker’s jobs, and the jobs they push, until none is left', async () => {
    await jobs.Chain.performAsync(3);
    await jobs.Greet.performAsync('bob');
    await worker(jobs.Chain).drain();
    expect(performed).toEqual(['chain 3', 'chain 2', 'chain 1']);
    expect(worker(jobs.Chain).jobs).toEqual([]);
    expect(worker(jobs.Greet).jobs).toHaveLength(1);
  });

  it('performOne performs the oldest job, and says so when there is none', async () => {
    await jobs.Greet.performAsync('first');
    await jobs.Greet.performAsync('second');
    await worker(jobs.Greet).performOne();
    expect(performed).toEqual(['hello first']);
    expect(worker(jobs.Greet).jobs.map((job) => job.args[0])).toEqual(['second']);
    await worker(jobs.Greet).performOne();
    await expect(worker(jobs.Greet).performOne()).rejects.toThrow(EmptyQueueError);
  });

  it('clear forgets one worker’s jobs; drainAll performs every job; clearAll forgets them all', async () => {
    await jobs.Greet.performAsync('x');
    await jobs.Chain.performAsync(1);
    worker(jobs.Greet).clear();
    expect(allJobs().map((job) => job.class)).toEqual(['Chain']);
    await jobs.Greet.performBulk([['y'], ['z']]);
    await drainAll();
    expect(performed).toEqual(['chain 1', 'hello y', 'hello z']);
    await jobs.Greet.performAsync('w');
    clearAll();
    expect(allJobs()).toEqual([]);
  });

  it('a job that throws while draining rejects the drain, and is not run again', async () => {
    await jobs.Explode.performAsync('boom');
    await expect(worker(jobs.Explode).drain()).rejects.toThrow('boom');
    expect(worker(jobs.Explode).jobs).toEqual([]);
  });

  it('push and pushBulk from the package are faked too', async () => {
    await push({ class: 'Greet', args: ['direct'] });
    expect(worker('Greet').jobs[0]!.args).toEqual(['direct']);
  });

  it('arguments JSON would change fail the push, naming the path', async () => {
    const sneaky = { at: new Date(0) } as unknown as { at: string };
    await expect(jobs.TakesDate.performAsync(sneaky)).rejects.toThrow(
      'job TakesDate: args[0].at is a Date, which JSON turns into "1970-01-01T00:00:00.000Z", so the worker would not get what was pushed',
    );
    await expect(push({ class: 'Greet', args: [Number.NaN] })).rejects.toThrow('args[0] is NaN');
    await expect(push({ class: 'Greet', args: [[1, undefined]] })).rejects.toThrow('args[0][1] is undefined');
    await expect(push({ class: 'Greet', args: [new Map()] })).rejects.toThrow('args[0] is a Map');
    expect(allJobs()).toEqual([]);
    // An absent optional property is fine: it reads back the same.
    await push({ class: 'Greet', args: [{ name: 'x', note: undefined }] });
    expect(allJobs()[0]!.args).toEqual([{ name: 'x' }]);
  });

  it('an argument that contains itself fails the push with a PushError naming where, as against Redis', async () => {
    const order: Record<string, unknown> = { id: 1, lines: [] };
    (order.lines as unknown[]).push({ order });
    await expect(push({ class: 'Greet', args: [order] })).rejects.toThrow(
      'job Greet: args[0].lines[0].order is args[0] itself (a cycle), which JSON cannot carry, so the worker would not get what was pushed',
    );
    const list: unknown[] = [];
    list.push(list);
    await expect(push({ class: 'Greet', args: [list] })).rejects.toThrow(
      /^job Greet: args\[0\]\[0\] is args\[0\] itself/,
    );
    class Node {
      self = this;
    }
    await expect(push({ class: 'Greet', args: [new Node()] })).rejects.toThrow(
      'job Greet: args[0] is a Node, which JSON cannot carry',
    );
    expect(allJobs()).toEqual([]);
    // The same object twice, side by side, is no cycle: JSON writes it twice.
    const shared = { name: 'x' };
    await push({ class: 'Greet', args: [shared, [shared]] });
    expect(allJobs()[0]!.args).toEqual([{ name: 'x' }, [{ name: 'x' }]]);
  });

  it('a job of a class nobody registered says how to register it when performed', async () => {
    await push({ class: 'Unknown', args: [] });
    await expect(drainAll()).rejects.toThrow(
      'no worker class "Unknown" registered for the testing modes: call registerWorkers({ Unknown }) in your test setup',
    );
  });

  it('client middleware runs on a bulk push: changed jobs recorded as changed, stopped ones not, in push order', async () => {
    clientMiddleware.add(async (job, next) => {
      if (job.args[0] === 'skip') return;
      if (job.args[0] === 'urgent') job.queue = 'critical';
      if (job.args[0] === 'later') job.at = Date.now() / 1000 + 60;
      job.args = [String(job.args[0]).toUpperCase()];
      await next();
    });
    const jids = await jobs.Greet.performBulk([['a'], ['urgent'], ['skip'], ['later'], ['b']]);
    expect(jids[2]).toBeUndefined();
    const recorded = worker(jobs.Greet).jobs;
    expect(recorded.map((job) => [job.args[0], job.queue, job.at !== undefined])).toEqual([
      ['A', 'mail', false],
      ['URGENT', 'critical', false],
      ['LATER', 'mail', true],
      ['B', 'mail', false],
    ]);
    expect(recorded.map((job) => job.jid)).toEqual([jids[0], jids[1], jids[3], jids[4]]);
    await drainAll();
    expect(performed).toEqual(['hello A', 'hello URGENT', 'hello LATER', 'hello B']);
  });

  it('the JSON check sees the arguments as client middleware left them, as Redis would', async () => {
    // A middleware that turns Dates into ISO strings: the worker gets a string, so the push is fine.
    const removeSerializer = clientMiddleware.add(async (job, next) => {
      job.args = job.args.map((arg) => (arg instanceof Date ? arg.toISOString() : arg));
      await next();
    });
    await jobs.Greet.performAsync(new Date(0) as unknown as string, 1);
    expect(worker(jobs.Greet).jobs[0]!.args).toEqual(['1970-01-01T00:00:00.000Z', 1]);
    removeSerializer();
    // One that adds a Date: JSON would turn it into a string, so the push fails, naming it.
    clientMiddleware.add(async (job, next) => {
      job.args = [...job.args, new Date(0)];
      await next();
    });
    await expect(jobs.Greet.performAsync('ada')).rejects.toThrow('job Greet: args[1] is a Date');
    expect(allJobs()).toHaveLength(1);
  });
});
