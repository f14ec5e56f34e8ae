/**
 * The hash tag that puts a key beside another in a Redis Cluster (a queue's in-progress lists beside the queue, a
 * set's staging lists beside the set). Redis hashes only what lies between a key's first `{` and the first `}`
 * after it, when that is not empty; otherwise the whole key. So:
 *  - a key without braces (`queue:critical`, nearly every key) is its own tag: `{queue:critical}`;
 *  - a key with a tag of its own (`queue:{eu}orders`) lends it: `{eu}queue:{eu}orders`;
 *  - a key hashed whole that holds a `}` (`queue:a}b`, `queue:x{}`) cannot sit inside braces: a short stand-in of
 *    the same slot goes there instead, `{~1234}queue:a}b`.
 * The key itself follows its tag, so the companions of two keys sharing a tag keep different names.
 */

const SLOTS = 16384;
const standIns = new Map<number, string>();

/** What to write between a companion key's name and its suffix, so that it hashes to `key`'s slot. */
export function tagBeside(key: string): string {
  const hashed = hashedPart(key);
  if (hashed !== key) return `{${hashed}}${key}`;
  if (!key.includes('}')) return `{${key}}`;
  return `{${standIn(crc16(Buffer.from(key, 'utf8')) % SLOTS)}}${key}`;
}

/** The part of a key Redis Cluster hashes. */
function hashedPart(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** The first `~<n>` that hashes to `slot` (a few thousand tries at most; each slot is searched once). */
function standIn(slot: number): string {
  let found = standIns.get(slot);
  for (let n = 0; found === undefined; n++) {
    const candidate = `~${n}`;
    if (crc16(Buffer.from(candidate, 'latin1')) % SLOTS === slot) found = candidate;
  }
  standIns.set(slot, found);
  return found;
}

/** CRC16-CCITT (XMODEM), the checksum Redis Cluster takes of a key. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
