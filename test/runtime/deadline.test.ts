import { describe, expect, it } from 'vitest';
import { Deadline } from '../../runtime/core/deadline.js';

describe('a shutdown deadline', () => {
  it('gives the work its value when it comes first', async () => {
    expect(await new Deadline(1_000).race(Promise.resolve(7))).toEqual({ done: true, value: 7 });
  });

  it('gives up at the deadline on work that never settles', async () => {
    const started = performance.now();
    expect(await new Deadline(100).race(new Promise(() => {}))).toEqual({ done: false });
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('reports the error of work that fails, and swallows a failure that comes after the deadline', async () => {
    const error = new Error('READONLY');
    expect(await new Deadline(1_000).race(Promise.reject(error))).toEqual({ done: false, error });
    const late = new Promise((_, reject) => setTimeout(() => reject(error), 50));
    expect(await new Deadline(0).race(late)).toEqual({ done: false });
    await new Promise((resolve) => setTimeout(resolve, 80)); // an unhandled rejection would fail the run
  });

  it('already passed, it still takes work that has settled', async () => {
    const deadline = new Deadline(0);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(deadline.msLeft()).toBe(0);
    expect(await deadline.race(Promise.resolve('done'))).toEqual({ done: true, value: 'done' });
  });
});
