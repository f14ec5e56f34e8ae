import { describe, expect, it } from 'vitest';
import { MiddlewareChain, runChain } from '../../runtime/middleware/chain.js';

type Step = (log: string[], next: () => Promise<void>) => unknown;

class Named {
  constructor(readonly name: string) {}
}
class Timing extends Named {}

const names = (chain: MiddlewareChain<Named>) => chain.entries.map((entry) => entry.name);

describe('a middleware chain', () => {
  it('add appends, prepend puts first, insertBefore and insertAfter place next to an entry', () => {
    const chain = new MiddlewareChain<Named>();
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((name) => new Named(name));
    chain.add(a!);
    chain.add(b!);
    chain.prepend(c!);
    chain.insertBefore(b!, d!);
    chain.insertAfter(a!, e!);
    expect(names(chain)).toEqual(['c', 'a', 'e', 'd', 'b']);
  });

  it('adding an entry again moves it, so it never runs twice', () => {
    const chain = new MiddlewareChain<Named>();
    const a = new Named('a');
    chain.add(a);
    chain.add(new Named('b'));
    chain.add(a);
    expect(names(chain)).toEqual(['b', 'a']);
  });

  it('remove takes out an entry, or every instance of a class; the remover add returned works too', () => {
    const chain = new MiddlewareChain<Named>();
    const keep = new Named('keep');
    const removeKeep = chain.add(keep);
    chain.add(new Timing('t1'));
    chain.add(new Timing('t2'));
    expect(chain.has(Timing)).toBe(true);
    expect(chain.remove(Timing)).toBe(true);
    expect(names(chain)).toEqual(['keep']);
    removeKeep();
    expect(chain.size).toBe(0);
    expect(chain.remove(keep)).toBe(false);
  });

  it('insertBefore and insertAfter name the neighbour by its class; an absent one means the start or the end', () => {
    const chain = new MiddlewareChain<Named>();
    chain.add(new Named('a'));
    chain.add(new Timing('t'));
    chain.insertBefore(Timing, new Named('before t'));
    chain.insertAfter(Timing, new Named('after t'));
    class Absent extends Named {}
    chain.insertBefore(Absent, new Named('first'));
    chain.insertAfter(Absent, new Named('last'));
    expect(names(chain)).toEqual(['first', 'a', 'before t', 't', 'after t', 'last']);
  });
});

describe('running a chain', () => {
  const run = async (steps: Step[]) => {
    const log: string[] = [];
    const reached = await runChain(
      steps,
      (step, next) => step(log, next),
      () => log.push('perform'),
    );
    return { log, reached };
  };

  it('runs entries in order around the last step, unwinding in reverse', async () => {
    const around =
      (name: string): Step =>
      async (log, next) => {
        log.push(`${name} in`);
        await next();
        log.push(`${name} out`);
      };
    expect(await run([around('a'), around('b')])).toEqual({
      log: ['a in', 'b in', 'perform', 'b out', 'a out'],
      reached: true,
    });
  });

  it('an entry that does not call next stops the rest', async () => {
    const stop: Step = (log) => log.push('stop');
    const never: Step = (log, next) => {
      log.push('never');
      return next();
    };
    expect(await run([stop, never])).toEqual({ log: ['stop'], reached: false });
  });

  it('calling next twice runs the rest once', async () => {
    const twice: Step = async (_log, next) => {
      await next();
      await next();
    };
    expect(await run([twice])).toEqual({ log: ['perform'], reached: true });
  });

  it('an error from the last step passes through every entry, which may replace it', async () => {
    const tag: Step = async (_log, next) => {
      try {
        await next();
      } catch (error) {
        throw new Error(`tagged: ${(error as Error).message}`);
      }
    };
    await expect(
      runChain(
        [tag],
        (step, next) => step([], next),
        () => {
          throw new Error('boom');
        },
      ),
    ).rejects.toThrow('tagged: boom');
  });

  it('an entry that calls next without awaiting it still waits for the rest, and its error is the outcome', async () => {
    const forgetful: Step = (log, next) => {
      log.push('forgetful');
      void next();
    };
    const slowPerform = (outcome: 'ok' | 'fail') => async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (outcome === 'fail') throw new Error('late failure');
    };
    let finished = false;
    const ok = runChain([forgetful], (step, next) => step([], next), slowPerform('ok'));
    void ok.then(() => {
      finished = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(finished).toBe(false);
    expect(await ok).toBe(true);
    await expect(runChain([forgetful], (step, next) => step([], next), slowPerform('fail'))).rejects.toThrow(
      'late failure',
    );
    // One that awaits it and swallows the error still decides the outcome.
    const swallow: Step = async (_log, next) => {
      await next().catch(() => {});
    };
    expect(await runChain([swallow], (step, next) => step([], next), slowPerform('fail'))).toBe(true);
  });
});
