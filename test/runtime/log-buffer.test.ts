/**
 * The runtime logger formats lines into large chunks and writes a chunk at a time (issue #25), a job's own lines
 * through jobInfo with no object per line: what it writes must be byte for byte what it wrote one line at a time,
 * in the order logged.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { asLogger, type LogFields } from '../../runtime/core/field-logger.js';
import {
  LineLogger,
  type LogContext,
  type LogLevel,
  logJobLine,
  MAX_HELD,
} from '../../runtime/core/logger.js';
import { formatElapsed } from '../../runtime/server/executor.js';

/** The text format as it was written one line at a time, before chunks: the reference. */
function referenceLine(time: number, level: LogLevel, message: string, context?: LogContext): string {
  const escaped = (text: string) =>
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the reference escapes exactly these.
    text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => {
      const code = char.charCodeAt(0);
      const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
      return (
        named[char] ?? (code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`)
      );
    });
  let line = `${new Date(time).toISOString()} pid=${process.pid}`;
  let below = '';
  for (const key in context ?? {}) {
    const value = context![key];
    if (value === undefined) continue;
    if (typeof value === 'object') for (const text of value) below += `    ${escaped(text)}\n`;
    else line += ` ${escaped(key)}=${escaped(String(value))}`;
  }
  return `${line} ${level.toUpperCase()}: ${escaped(message)}\n${below}`;
}

function collecting(level: LogLevel = 'info') {
  const writes: string[] = [];
  let time = 1_764_460_800_000;
  const logger = new LineLogger(level, { write: (text: string) => writes.push(text) }, () => time);
  return { logger, writes, tick: (ms: number) => (time += ms), now: () => time };
}

/** A stream (as stdout is) that keeps the chunks written to it. */
function collectingStream() {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, chunks };
}

const hostile = 'a\nb\r\tc\u0000d\u001be\u007ff\u0085g\u009fh\u2028i\u2029j';

describe('per-job lines, held and written in chunks', () => {
  it('are byte for byte the lines written one at a time, times, fields and stacks included', () => {
    const { logger, writes, tick, now } = collecting('debug');
    let expected = '';
    const records: [LogLevel, string, LogContext | undefined][] = [
      ['info', 'start', { class: 'NoOp', jid: 'b1946ac92492d2347c6235b4' }],
      ['info', 'done', { class: 'NoOp', jid: 'b1946ac92492d2347c6235b4', elapsed: '0.001' }],
      ['debug', hostile, { class: hostile, jid: 'j', empty: undefined, n: 42 }],
      ['info', 'Café ✓ 日本 C:\\jobs "q" = 1', undefined],
      ['info', 'with a stack', { class: 'Hard', stack: ['    at x (a.js:1:2)', `at ${hostile}`] }],
      ['info', 'no fields', {}],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [level, message, context] of records) {
        logger[level](message, context);
        expected += referenceLine(now(), level, message, context);
        // Same millisecond twice, then the next, then a jump: the cached time must follow.
        tick(round === 2 ? 86_400_123 : round);
      }
    }
    logger.flush();
    expect(writes).toEqual([expected]);
  });

  it('reach a stream (stdout) as the same bytes, built as bytes, non-ASCII and lone surrogates included', () => {
    const { stream, chunks } = collectingStream();
    let time = 1_764_460_800_000;
    const logger = new LineLogger('debug', stream, () => time);
    let expected = '';
    const records: [LogLevel, string, LogContext | undefined][] = [
      ['info', 'start', { class: 'NoOp', jid: 'b1946ac92492d2347c6235b4' }],
      ['info', 'done', { class: 'NoOp', jid: 'b1946ac92492d2347c6235b4', elapsed: '0.001' }],
      ['debug', hostile, { [hostile]: hostile, jid: 'j', empty: undefined, n: 42 }],
      ['info', 'Café ✓ 日本 😀 lone \ud800 and \udc00 end', { class: 'Ünïcode😀', jid: 'x\ud83d' }],
      [
        'warn',
        'with a stack',
        { class: 'Hard', stack: ['    at x (a.js:1:2)', `at ${hostile} 😀`], after: 'z' },
      ],
      ['error', 'no fields', {}],
      ['info', '', undefined],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [level, message, context] of records) {
        logger[level](message, context);
        expected += referenceLine(time, level, message, context);
        time += round === 2 ? 86_400_123 : round;
      }
    }
    logger.flush();
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).equals(Buffer.from(expected))).toBe(true);
  });

  it('are written together, once, a short while after the first is logged', async () => {
    const { logger, writes } = collecting();
    for (let i = 0; i < 500; i++) logger.info('start', { class: 'NoOp', jid: String(i) });
    expect(writes).toEqual([]);
    await expect.poll(() => writes.length).toBe(1);
    expect(writes[0]!.split('\n')).toHaveLength(501);
  });

  it('are written before a warning, which is written at once, in the order logged', () => {
    const { logger, writes } = collecting();
    logger.info('start', { jid: '1' });
    logger.warn('fail: boom', { jid: '1' });
    logger.info('start', { jid: '2' });
    expect(writes.join('').split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(/jid=1 INFO: start$/),
      expect.stringMatching(/jid=1 WARN: fail: boom$/),
    ]);
    logger.flush();
    expect(writes.join('')).toMatch(/jid=2 INFO: start\n$/);
  });

  it(`are written at once when ${MAX_HELD} are held, so memory stays bounded under any rate`, () => {
    const { logger, writes } = collecting();
    for (let i = 0; i < MAX_HELD; i++) logger.info('start', { jid: String(i) });
    expect(writes).toHaveLength(1);
    expect(writes[0]!.split('\n')).toHaveLength(MAX_HELD + 1);
    logger.flush();
    expect(writes).toHaveLength(1);
  });

  it('are not written at all below the level', () => {
    const { logger, writes } = collecting('warn');
    logger.info('start', { jid: '1' });
    logger.flush();
    expect(writes).toEqual([]);
  });
});

describe("a job's own lines (jobInfo)", () => {
  /** The time job lines are given, the loggers' clock for their other records too. */
  let time = 0;
  const now = () => Math.floor(time);

  /** start and done lines of three classes interleaved, at fractional times, with other records between them. */
  function logJobLines(
    logger: LineLogger,
    log: (time: number, level: LogLevel, message: string, context?: LogContext) => void,
  ) {
    time = 1_764_460_800_000.25;
    const classes = ['NoOp', 'Café😀', hostile];
    for (let n = 0; n < 3000; n++) {
      const className = classes[n % 3 === 0 ? 0 : n % 7 === 0 ? 2 : 1]!;
      const jid = n % 11 === 0 ? `j${hostile}${n}` : `b1946ac92492d2347c6235${n}`;
      const elapsed = n % 5 === 0 ? undefined : n % 13 === 0 ? `1${hostile}` : '0.001';
      const message =
        elapsed === undefined ? 'start' : n % 17 === 0 ? 'skipped by server middleware' : 'done';
      logJobLine(logger, time, message, className, jid, elapsed);
      log(
        time,
        'info',
        message,
        elapsed === undefined ? { class: className, jid } : { class: className, jid, elapsed },
      );
      if (n % 50 === 0) {
        logger.debug('between', { n });
        log(time, 'debug', 'between', { n });
      }
      // Several lines a millisecond, then the next: the cached pieces must follow the time and the class.
      time += n % 4 === 0 ? 0.5 : 0.125;
    }
    logger.flush();
  }

  it('are the bytes info() writes for the same fields, at the time given (whole ms), on a stream', () => {
    const { stream, chunks } = collectingStream();
    const logger = new LineLogger('debug', stream, now);
    let expected = '';
    logJobLines(logger, (at, level, message, context) => {
      expected += referenceLine(Math.floor(at), level, message, context);
    });
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).toString()).toBe(expected);
  });

  it('are the same text, and the same JSON records, on a sink that takes strings', () => {
    for (const format of ['text', 'json'] as const) {
      let written = '';
      const logger = new LineLogger('debug', { write: (chunk: string) => (written += chunk) }, now, format);
      let expected = '';
      const reference = new LineLogger(
        'debug',
        { write: (chunk: string) => (expected += chunk) },
        now,
        format,
      );
      logJobLines(logger, (_at, level, message, context) => reference[level](message, context));
      reference.flush();
      expect(written, format).toBe(expected);
    }
  });

  it('reach a handed-in (fields, message) logger as info with class, jid and elapsed', () => {
    const seen: [LogFields, string][] = [];
    const logger = asLogger({
      debug: () => {},
      info: (fields: LogFields, message: string) => seen.push([fields, message]),
      warn: () => {},
      error: () => {},
    });
    logJobLine(logger, 5, 'start', 'NoOp', 'j1');
    logJobLine(logger, 6, 'done', 'NoOp', 'j1', '0.001');
    expect(seen).toEqual([
      [{ class: 'NoOp', jid: 'j1' }, 'start'],
      [{ class: 'NoOp', jid: 'j1', elapsed: '0.001' }, 'done'],
    ]);
  });

  it('are not written below info', () => {
    const writes: string[] = [];
    const logger = new LineLogger('warn', { write: (text: string) => writes.push(text) });
    logJobLine(logger, 1, 'start', 'NoOp', 'j1');
    logger.flush();
    expect(writes).toEqual([]);
  });
});

describe("a done line's elapsed=", () => {
  it('reads as seconds with three decimals, exactly as toFixed(3) writes them, rounding boundaries included', () => {
    const samples = [
      0,
      0.2,
      0.49,
      0.5,
      0.51,
      1.5,
      2.5,
      999.4,
      999.5,
      999.6,
      1000,
      12_345.678,
      -0.3,
      -2,
      Number.NaN,
    ];
    for (let ms = 0; ms < 1001; ms++) samples.push(ms, ms + 0.4999, ms + 0.5, ms + 0.5001, ms - 0.5);
    for (let i = 0; i < 10_000; i++) samples.push(Math.random() * 2000);
    for (const ms of samples) expect(formatElapsed(ms), String(ms)).toBe((ms / 1000).toFixed(3));
  });
});
