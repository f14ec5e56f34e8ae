/**
 * A log chunk built as UTF-8 bytes, for the text format on a stream (issue #25). Appending each line's pieces to one
 * string made a tree of thousands of pieces that the write then had to flatten and encode: most of a line's cost.
 * Here printable ASCII (nearly all of a job's line) is copied byte by byte, the rest escaped as escapeControls does
 * and encoded as Buffer.from would, so the bytes are those of the string form (log-lines.ts `textLine`).
 */
import { escapeControls } from './log-lines.js';

export class LineBytes {
  private buffer: Buffer;
  private length = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(capacity, 256));
  }

  /** Text with its control characters escaped. */
  text(text: string): void {
    const count = text.length;
    this.room(count);
    const buffer = this.buffer;
    let at = this.length;
    for (let i = 0; i < count; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x20 || code > 0x7e) {
        this.length = at;
        this.encode(escapeControls(text.slice(i)));
        return;
      }
      buffer[at++] = code;
    }
    this.length = at;
  }

  /** Bytes prepared once (a time prefix, a field's name, a level's tag). */
  bytes(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  byte(code: number): void {
    this.room(1);
    this.buffer[this.length++] = code;
  }

  /** The chunk; the builder is not used after it (a stream may hold the bytes until they are written). */
  take(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  /** Text already escaped, in UTF-8 (a lone surrogate as U+FFFD, as Buffer.from writes it). */
  private encode(text: string): void {
    this.room(Buffer.byteLength(text));
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  private room(count: number): void {
    if (this.length + count <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + count));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}
