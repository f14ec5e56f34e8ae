/**
 * The one describer of thrown values: logs, retry fields, handlers and middleware all go through it, because JavaScript
 * can throw anything — `null`, a Symbol, a Proxy whose every trap throws, an Error whose `message` or `name` getter
 * throws, a 5 MB message. It never throws and never touches a Proxy's traps.
 *  - an Error: its constructor's name (else `name`, else 'Error') and its message, as Sidekiq's error_class/message;
 *  - a string: class 'Error' (Ruby's `raise "text"` is a RuntimeError) and the string;
 *  - anything else: class 'Error' and the value as util.inspect shows it (`null`, `Symbol(x)`, `{ code: 42 }`).
 * A message that cannot be read is Sidekiq's `!!! ERROR MESSAGE THREW AN ERROR !!!`; every message is cut at 10,000
 * characters (code points, as Ruby counts them), as Sidekiq cuts error_message, never inside a character, and half a
 * character (a lone surrogate) is U+FFFD, as Sidekiq scrubs it: Ruby's JSON parser refuses a lone `\udXXX`, so a retry
 * holding one would be unreadable to Sidekiq, whose poller drops it.
 */
import { inspect, types } from 'node:util';

export const MESSAGE_LIMIT = 10_000;
const UNREADABLE_MESSAGE = '!!! ERROR MESSAGE THREW AN ERROR !!!';
const UNDESCRIBABLE = '(a thrown value that cannot be described)';

export interface ThrownValue {
  /** Sidekiq's error_class. */
  readonly errorClass: string;
  /** The name Node prints before the message (`error.name`), for log lines. */
  readonly name: string;
  readonly message: string;
}

export function describeThrown(value: unknown): ThrownValue {
  if (!isError(value)) {
    const message = typeof value === 'string' ? value : safeInspect(value);
    return { errorClass: 'Error', name: 'Error', message: cutMessage(message) };
  }
  const errorClass = readString(() => value.constructor?.name) ?? readString(() => value.name) ?? 'Error';
  const name = readString(() => value.name) ?? errorClass;
  return { errorClass, name, message: cutMessage(errorMessage(value)) };
}

/** Half of a surrogate pair: a high one not followed by a low one, or a low one not after a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The first MESSAGE_LIMIT characters as Ruby counts them (code points: an emoji is one, where `slice` counts two
 * UTF-16 units), so Sidepunch keeps what Sidekiq's `message[0, 10_000]` keeps; every lone surrogate as U+FFFD.
 */
function cutMessage(message: string): string {
  // Never more characters than UTF-16 units: a message this short is whole.
  const cut =
    message.length <= MESSAGE_LIMIT ? message : message.slice(0, codePointsEnd(message, MESSAGE_LIMIT));
  return cut.replace(LONE_SURROGATE, '\uFFFD');
}

/** The index in `text` just past its first `count` code points (a lone surrogate counts as one). */
function codePointsEnd(text: string, count: number): number {
  let end = 0;
  for (let n = 0; n < count && end < text.length; n++) {
    const unit = text.charCodeAt(end);
    const pair = unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(end + 1) & 0xfc00) === 0xdc00;
    end += pair ? 2 : 1;
  }
  return end;
}

/** `Name: message`, for log lines. */
export function describeError(value: unknown): string {
  const { name, message } = describeThrown(value);
  return `${name}: ${message}`;
}

/** The stack's frames (`fn (file:line:col)`), none when the value has no readable stack. */
export function stackFrames(value: unknown): string[] {
  if (!isError(value)) return [];
  const stack = readString(() => value.stack) ?? '';
  return stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .map((line) => line.trim().replace(/^at /, ''));
}

/**
 * What a log shows of a thrown value's stack: its first `limit` frames as `at fn (file:line:col)`, then how many
 * were left out; for a value with no stack, one line saying why (`throw 'text'` has none).
 */
export function stackLines(value: unknown, limit = Number.POSITIVE_INFINITY): string[] {
  const frames = stackFrames(value);
  if (frames.length === 0) {
    return [
      isError(value) ? '(no stack trace)' : `(no stack trace: ${kindOf(value)} was thrown, not an Error)`,
    ];
  }
  const lines = frames.slice(0, limit).map((frame) => `at ${frame}`);
  const left = frames.length - lines.length;
  if (left > 0) lines.push(`… ${left} more frame${left === 1 ? '' : 's'} (log level debug shows all)`);
  return lines;
}

/** `a string`, `null`, `a Proxy`, `an object`: what was thrown, without running a Proxy's traps. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return types.isProxy(value) ? 'a Proxy' : 'an object';
  return typeof value === 'symbol' ? 'a Symbol' : `a ${typeof value}`;
}

/** An Error (of this realm or another), found without running a Proxy's traps or a getter. */
/** `value instanceof type`, false for a Proxy (whose getPrototypeOf trap may throw) and never throwing. */
export function isInstanceOf<T>(value: unknown, type: abstract new (...args: never[]) => T): value is T {
  if (typeof value !== 'object' || value === null || types.isProxy(value)) return false;
  try {
    return value instanceof type;
  } catch {
    return false; // a Proxy further up the prototype chain
  }
}

function isError(value: unknown): value is Error {
  if (typeof value !== 'object' || value === null || types.isProxy(value)) return false;
  if (types.isNativeError(value)) return true;
  try {
    return value instanceof Error;
  } catch {
    return false; // a Proxy further up the prototype chain
  }
}

function errorMessage(error: Error): string {
  try {
    const message: unknown = error.message;
    return typeof message === 'string' ? message : String(message);
  } catch {
    return UNREADABLE_MESSAGE;
  }
}

function readString(read: () => unknown): string | undefined {
  try {
    const text = read();
    return typeof text === 'string' && text !== '' ? text : undefined;
  } catch {
    return undefined;
  }
}

function safeInspect(value: unknown): string {
  try {
    return inspect(value, {
      depth: 2,
      breakLength: Number.POSITIVE_INFINITY,
      maxStringLength: MESSAGE_LIMIT,
    });
  } catch {
    return UNDESCRIBABLE;
  }
}
