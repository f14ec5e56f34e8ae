/**
 * Entries whose bytes are not valid UTF-8. ioredis decodes replies as UTF-8 with U+FFFD in place of invalid bytes,
 * so such an entry's string is not what Redis holds, and ZREM or LREM of it removes nothing. As the runtime does
 * (server/exact-bytes.ts), a read whose values hold U+FFFD reads the same range again as bytes, and each such value
 * gets the entry that decodes to it, so an action names the stored bytes.
 */
import { isUtf8 } from 'node:buffer';
import { mayHaveLostBytes } from '../core/lossy-decoding.js';

/** For each value, its exact bytes when they are not UTF-8, else undefined; `asBytes` reads the range again. */
export async function exactBytesOf(
  values: readonly string[],
  asBytes: () => Promise<Buffer[]>,
): Promise<(Buffer | undefined)[]> {
  if (!values.some(mayHaveLostBytes)) return values.map(() => undefined);
  const byDecoding = new Map<string, Buffer[]>();
  for (const entry of await asBytes()) {
    if (isUtf8(entry)) continue;
    const decoded = entry.toString();
    byDecoding.set(decoded, [...(byDecoding.get(decoded) ?? []), entry]);
  }
  // An entry that left between the two reads has no bytes here: acting on its string then finds nothing, as it should.
  return values.map((value) => (mayHaveLostBytes(value) ? byDecoding.get(value)?.shift() : undefined));
}
