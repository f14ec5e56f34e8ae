import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineRegistry } from '../../runtime/core/registry.js';
import {
  allJobs,
  clearAll,
  currentMode,
  disable,
  fake,
  inline,
  registerWorkers,
  testingServerMiddleware,
  worker,
} from '../../runtime/testing/sidepunch-testing.js';
import { Chain, Explode, Greet, jobs, performed, TakesDate } from './support.js';

beforeAll(() => registerWorkers({ Greet, Chain, Explode, TakesDate }));
afterEach(() => {
  clearAll();
  disable();
  performed.length = 0;
  testingServerMiddleware.clear();
});

describe('inline mode', () => {
  it('performs the job at once, with arguments that went through JSON', async () => {
    inline();
    const jid = await jobs.Greet.performAsync('ada', 2);
    expect(jid).toMatch(/^[0-9a-f]{24}$/);
    expect(performed).toEqual(['hello ada', 'hello ada']);
    await jobs.Chain.performAsync(2);
    expect(performed.slice(2)).toEqual(['chain 2', 'chain 1']);
  });

  it('a job’s error reaches the caller', async () => {
    inline();
    await expect(jobs.Explode.performAsync('inline boom')).rejects.toThrow('inline boom');
  });

  it('scheduled jobs run at once too', async () => {
    inline();
    await jobs.Greet.performIn(3600, 'soon');
    expect(performed).toEqual(['hello soon']);
  });

  it('checks arguments with a registry’s validators, as sidepunch-run does', async () => {
    registerWorkers(
      defineRegistry({
        workers: { Greet },
        validators: { Greet: (args) => (typeof args[0] === 'string' ? undefined : 'name: expected string') },
      }),
    );
    inline();
    await expect(jobs.Greet.performAsync(42 as unknown as string)).rejects.toThrow(
      'arguments do not match Greet.perform: name: expected string',
    );
    registerWorkers({ Greet });
  });

  it('takes a CommonJS registry as require() returns it, { default: registry }, as sidepunch-run does', async () => {
    const registry = defineRegistry({
      workers: { Greet },
      validators: { Greet: (args) => (typeof args[0] === 'string' ? undefined : 'name: expected string') },
    });
    // What require('./dist/registry.js') gives for the registry sidepunch-gen writes in a CommonJS app.
    registerWorkers(
      Object.defineProperties(
        {},
        { __esModule: { value: true }, default: { value: registry, enumerable: true } },
      ),
    );
    inline();
    await expect(jobs.Greet.performAsync(42 as unknown as string)).rejects.toThrow(
      'arguments do not match Greet.perform: name: expected string',
    );
    await jobs.Greet.performAsync('cjs');
    expect(performed).toEqual(['hello cjs']);
    registerWorkers({ Greet });
  });

  it('runs the testing server middleware around perform', async () => {
    testingServerMiddleware.add(async (job, next) => {
      performed.push(`before ${job.class}`);
      await next();
      performed.push(`after ${job.class}`);
    });
    await inline(() => jobs.Greet.performAsync('wrapped'));
    expect(performed).toEqual(['before Greet', 'hello wrapped', 'after Greet']);
  });
});

describe('switching modes', () => {
  it('a block form switches only for its callback, async ones included, then restores the mode', async () => {
    fake();
    const result = await inline(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(currentMode()).toBe('inline');
      await jobs.Greet.performAsync('in block');
      return 'value';
    });
    expect(result).toBe('value');
    expect(currentMode()).toBe('fake');
    await jobs.Greet.performAsync('after block');
    expect(performed).toEqual(['hello in block']);
    expect(worker(jobs.Greet).jobs.map((job) => job.args[0])).toEqual(['after block']);
  });

  it('concurrent blocks keep their own modes', async () => {
    const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
    await Promise.all([
      fake(async () => {
        for (let i = 0; i < 5; i++) {
          await tick();
          await jobs.Greet.performAsync(`fake ${i}`);
        }
      }),
      inline(async () => {
        for (let i = 0; i < 5; i++) {
          await tick();
          await jobs.Greet.performAsync(`inline ${i}`);
        }
      }),
    ]);
    expect(allJobs()).toHaveLength(5);
    expect(performed).toHaveLength(5);
    expect(performed.every((line) => line.startsWith('hello inline'))).toBe(true);
  });

  it('a block that throws restores the mode and rethrows', async () => {
    fake();
    await expect(
      inline(async () => {
        throw new Error('inside');
      }),
    ).rejects.toThrow('inside');
    expect(currentMode()).toBe('fake');
  });
});
