/**
 * The one describer of thrown values never throws, whatever JavaScript lets code throw; and the paths that pass a
 * thrown value to user code (error handlers, job:failed listeners) survive that code throwing odd values too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '../../runtime/client/client.js';
import { onJobError } from '../../runtime/core/handlers.js';
import { describeError, describeThrown, stackFrames, stackLines } from '../../runtime/core/thrown-value.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';

const throwing = () => {
  throw new Error('trap');
};
const hostile = new Proxy(
  {},
  {
    get: throwing,
    has: throwing,
    ownKeys: throwing,
    getPrototypeOf: throwing,
    getOwnPropertyDescriptor: throwing,
  },
);
const unreadable = Object.defineProperty(new Error('x'), 'message', { get: throwing });

describe('stackLines, for log lines', () => {
  const deep = (depth: number): Error => (depth === 0 ? new Error('deep') : deep(depth - 1));

  it('gives the first frames and how many more', () => {
    const lines = stackLines(deep(5), 3);
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 3).every((line) => line.startsWith('at deep ('))).toBe(true);
    expect(lines[3]).toMatch(/^… \d+ more frames \(log level debug shows all\)$/);
    expect(stackLines(deep(5))).toHaveLength(stackFrames(deep(5)).length);
  });

  it('says why there is no stack', () => {
    expect(stackLines('text')).toEqual(['(no stack trace: a string was thrown, not an Error)']);
    expect(stackLines(undefined)).toEqual(['(no stack trace: undefined was thrown, not an Error)']);
    expect(stackLines(42)).toEqual(['(no stack trace: a number was thrown, not an Error)']);
    expect(stackLines(Symbol('s'))).toEqual(['(no stack trace: a Symbol was thrown, not an Error)']);
    expect(stackLines(hostile)).toEqual(['(no stack trace: a Proxy was thrown, not an Error)']);
    const stackless = new Error('m');
    stackless.stack = undefined;
    expect(stackLines(stackless)).toEqual(['(no stack trace)']);
  });
});

describe('describeThrown', () => {
  it('describes Errors as Sidekiq would: class and message', () => {
    expect(describeThrown(new TypeError('bad'))).toEqual({
      errorClass: 'TypeError',
      name: 'TypeError',
      message: 'bad',
    });
    expect(describeThrown('text')).toMatchObject({ errorClass: 'Error', message: 'text' });
  });

  it('never throws, whatever was thrown', () => {
    const values = [
      hostile,
      unreadable,
      Object.create(hostile),
      Symbol('s'),
      null,
      undefined,
      Object.create(null),
      { toString: throwing },
      Object.defineProperty(new Error('m'), 'stack', { get: throwing }),
      Object.defineProperty(new Error('m'), 'constructor', { get: throwing }),
    ];
    for (const value of values) {
      expect(typeof describeThrown(value).message).toBe('string');
      expect(typeof describeError(value)).toBe('string');
      expect(Array.isArray(stackFrames(value))).toBe(true);
      expect(stackLines(value).length).toBeGreaterThan(0);
    }
    expect(describeThrown(unreadable).message).toBe('!!! ERROR MESSAGE THREW AN ERROR !!!');
  });

  it('cuts a huge message at 10,000 characters', () => {
    expect(describeThrown(new Error('y'.repeat(1_000_000))).message).toHaveLength(10_000);
    expect(describeError('z'.repeat(1_000_000)).length).toBeLessThan(10_100);
  });

  it('counts characters as Sidekiq does (Ruby’s String#[]): an emoji is one, not two UTF-16 units', () => {
    // Sidekiq keeps `message[0, 10_000]`: 10,000 emoji of 20,000, and all 6,000 of 6,000.
    expect(describeThrown(new Error('😀'.repeat(20_000))).message).toBe('😀'.repeat(10_000));
    expect(describeThrown('😀'.repeat(6_000)).message).toBe('😀'.repeat(6_000));
    expect(describeThrown(`${'é'.repeat(5_000)}${'😀'.repeat(5_001)}`).message).toBe(
      `${'é'.repeat(5_000)}${'😀'.repeat(5_000)}`,
    );
  });

  it('never leaves half a character in the message, which Ruby’s JSON parser refuses (the retry would be lost)', () => {
    // An emoji as the 10,000th character (two UTF-16 units, one character), and a lone surrogate in the message.
    const cut = describeThrown(new Error(`${'a'.repeat(9_999)}😀 after`)).message;
    expect(cut).toBe(`${'a'.repeat(9_999)}😀`);
    const lone = describeThrown(new Error('bad \ud83d byte, \ude00 too')).message;
    expect(lone).toBe('bad \ufffd byte, \ufffd too');
    // What the retry payload holds: no `\udXXX` escape of half a pair, which Sidekiq's poller cannot parse.
    for (const message of [cut, lone]) expect(JSON.stringify(message)).not.toMatch(/\\ud[89a-f]/i);
  });
});

describe('user code handed an odd thrown value', () => {
  const fixture = useRedis();
  let runtime: InProcessRuntime | undefined;
  let client: Client | undefined;
  afterEach(async () => {
    await client?.close();
    await runtime?.stop();
    runtime = undefined;
  });

  it('an error handler and a job:failed listener that throw odd values do not keep the job from being retried', async () => {
    const removeHandler = onJobError(() => {
      throw hostile;
    });
    try {
      runtime = startInProcess(fixture.server.url, {
        Odd: class {
          perform() {
            throw unreadable;
          }
        },
      });
      runtime.launcher.events.on('job:failed', () => {
        throw hostile;
      });
      client = new Client({ redis: fixture.server.url });
      const retried = runtime.next('complete:flushed');
      const jid = await client.push({ class: 'Odd', args: [] });
      await retried;
      expect(await fixture.redis.zcard('retry')).toBe(1);
      const [raw] = await fixture.redis.zrange('retry', 0, 0);
      expect(JSON.parse(raw!)).toMatchObject({
        jid,
        error_class: 'Error',
        error_message: '!!! ERROR MESSAGE THREW AN ERROR !!!',
      });
      expect(runtime.log()).toMatch(/error handler threw: Error: \{\}/);
      expect(runtime.log()).toMatch(/a job:failed listener threw/);
    } finally {
      removeHandler();
    }
  });
});
