import { describe, expect, it } from 'vitest';
import { asLogger } from '../../runtime/core/field-logger.js';
import { LineLogger, type LogContext } from '../../runtime/core/logger.js';

/** The text one `warn` writes (warnings are written at once), at a fixed time. */
function warnLine(message: string, context?: Record<string, string>): string {
  let written = '';
  const logger = new LineLogger('info', { write: (text: string) => (written += text) }, () => 0);
  logger.warn(message, context);
  return written.replace(`pid=${process.pid}`, 'pid=1');
}

describe('a log line', () => {
  it('escapes control characters in the message and in every field, so data cannot start a line of its own', () => {
    const hostile = 'a\nb\r\tc\u0000d\u001be\u007ff\u0085g\u009fh\u2028i\u2029j';
    const escaped = 'a\\nb\\r\\tc\\x00d\\x1be\\x7ff\\x85g\\x9fh\\u2028i\\u2029j';
    expect(warnLine(`fail: ${hostile}`, { class: hostile, jid: 'j1' })).toBe(
      `1970-01-01T00:00:00.000Z pid=1 class=${escaped} jid=j1 WARN: fail: ${escaped}\n`,
    );
  });

  it('keeps printable text as it is, accents, symbols and backslashes included', () => {
    const text = 'Café ✓ naïve 日本 C:\\jobs "quoted" = 1';
    expect(warnLine(text, { class: text })).toBe(
      `1970-01-01T00:00:00.000Z pid=1 class=${text} WARN: ${text}\n`,
    );
  });
});

/** What one `warn` writes in `format`, at a fixed time, with this process's pid as 1. */
function written(format: 'text' | 'json', message: string, context?: LogContext): string {
  let text = '';
  const logger = new LineLogger('info', { write: (chunk: string) => (text += chunk) }, () => 0, format);
  logger.warn(message, context);
  return text.replace(`pid=${process.pid}`, 'pid=1').replace(`"pid":${process.pid}`, '"pid":1');
}

describe('a record with a stack', () => {
  const context = {
    class: 'Hard',
    jid: 'j1',
    elapsed: '0.002',
    stack: ['at a (x.js:1:2)', 'at b\n(forged)'],
  };

  it('prints its frames below the line in text, indented and escaped, one record per event', () => {
    expect(written('text', 'fail: Error: no', context)).toBe(
      '1970-01-01T00:00:00.000Z pid=1 class=Hard jid=j1 elapsed=0.002 WARN: fail: Error: no\n' +
        '    at a (x.js:1:2)\n' +
        '    at b\\n(forged)\n',
    );
  });

  it('is one JSON object on one line, the stack one string', () => {
    const text = written('json', 'fail: Error: no', context);
    expect(text.split('\n')).toHaveLength(2);
    expect(JSON.parse(text)).toEqual({
      time: '1970-01-01T00:00:00.000Z',
      level: 'warn',
      msg: 'fail: Error: no',
      pid: 1,
      class: 'Hard',
      jid: 'j1',
      elapsed: '0.002',
      stack: 'at a (x.js:1:2)\nat b\n(forged)',
    });
  });
});

describe('--log-format json', () => {
  it('escapes what JSON leaves raw and a reader would hide or break a line on: DEL, C1, U+2028, U+2029', () => {
    const hostile = 'a\nb\u0000c\u007fd\u0085e\u2028f\u2029g';
    const text = written('json', hostile, { class: hostile });
    expect(text).toBe(
      '{"time":"1970-01-01T00:00:00.000Z","level":"warn","msg":"a\\nb\\u0000c\\u007fd\\u0085e\\u2028f\\u2029g",' +
        '"pid":1,"class":"a\\nb\\u0000c\\u007fd\\u0085e\\u2028f\\u2029g"}\n',
    );
    expect(JSON.parse(text).msg).toBe(hostile);
  });

  it('keeps its own time, level, msg and pid when a field has one of those names', () => {
    expect(JSON.parse(written('json', 'real', { msg: 'fake', level: 'info', jid: 'j' }))).toMatchObject({
      msg: 'real',
      level: 'warn',
      jid: 'j',
    });
  });
});

describe('a (fields, message) logger handed to the runtime', () => {
  type Call = [level: string, fields: Record<string, unknown>, message: string];
  function recording(enabled: (level: string) => boolean = () => true) {
    const calls: Call[] = [];
    const record = (level: string) => (fields: Record<string, string | number>, message: string) =>
      calls.push([level, fields, message]);
    const target = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
      isLevelEnabled: enabled,
      flushed: 0,
      flush() {
        this.flushed++;
      },
    };
    return { target, calls };
  }

  it('gets pino’s argument order and the fields the text format prints, the stack as one string', () => {
    const { target, calls } = recording();
    const logger = asLogger(target);
    logger.info('start', { class: 'Hard', jid: 'j1', queue: undefined });
    logger.warn('fail: Error: no', { class: 'Hard', jid: 'j1', elapsed: '0.002', stack: ['at a', 'at b'] });
    logger.error('no context');
    logger.flush();
    expect(calls).toEqual([
      ['info', { class: 'Hard', jid: 'j1' }, 'start'],
      ['warn', { class: 'Hard', jid: 'j1', elapsed: '0.002', stack: 'at a\nat b' }, 'fail: Error: no'],
      ['error', {}, 'no context'],
    ]);
    expect(target.flushed).toBe(1);
  });

  it('answers enabled() from isLevelEnabled, and is enabled at every level without it', () => {
    const { target } = recording((level) => level !== 'debug');
    expect(asLogger(target).enabled('debug')).toBe(false);
    expect(asLogger(target).enabled('info')).toBe(true);
    const { isLevelEnabled: _, ...bare } = target;
    expect(asLogger(bare).enabled('debug')).toBe(true);
  });

  it('leaves the runtime’s own Logger as it is', () => {
    const logger = new LineLogger('info', { write: () => 0 });
    expect(asLogger(logger)).toBe(logger);
  });
});

describe('held lines', () => {
  it('are written in order across chunks, and a line logged by the sink while it writes goes in the next chunk', () => {
    const chunks: string[] = [];
    let time = 0;
    const logger: LineLogger = new LineLogger(
      'info',
      {
        write: (chunk: string) => {
          chunks.push(chunk);
          if (chunks.length === 1) logger.info('logged while writing');
        },
      },
      () => time++,
      'json',
    );
    for (let n = 0; n < 5000; n++) logger.info(`line ${n}`); // more than one chunk's worth
    logger.flush();
    const messages = chunks
      .flatMap((chunk) => chunk.trimEnd().split('\n'))
      .map((line) => JSON.parse(line).msg);
    const expected = Array.from({ length: 5000 }, (_, n) => `line ${n}`);
    // The sink's line waits for the next write, after the lines held when it was logged.
    expect(messages.filter((message) => message !== 'logged while writing')).toEqual(expected);
    expect(messages.indexOf('logged while writing')).toBeGreaterThan(messages.indexOf('line 2047'));
    expect(messages.filter((message) => message === 'logged while writing')).toHaveLength(1);
  });
});
