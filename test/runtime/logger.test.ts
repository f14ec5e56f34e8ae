import { describe, expect, it } from 'vitest';
import { LineLogger } from '../../runtime/core/logger.js';

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
