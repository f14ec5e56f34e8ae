/**
 * Names for keys that must share a Redis Cluster slot with another key (a queue's in-progress lists beside the
 * queue, a set's staging lists beside the set). Such a key has always been named `<head>{<key>}<tail>`. Redis
 * hashes only what lies between a key's first `{` and the first `}` after it, when that is not empty, otherwise
 * the whole key; so that name shares the slot unless the key's own name has braces. Then:
 *  - a key with a tag of its own (`queue:{eu}orders`) lends it: `<head>{eu}queue:{eu}orders<tail>`;
 *  - a key hashed whole that holds a `}` (`queue:a}b`, `queue:x{}`) cannot sit inside braces: a short stand-in of
 *    the same slot goes there, `<head>{~1234}queue:a}b<tail>`.
 * The key itself follows its tag, so the companions of two keys sharing a tag keep different names. A name that
 * already shares the slot (every key without braces, or a namespace with a tag of its own) is never changed.
 */

const SLOTS = 16384;
const standIns = new Map<number, string>();

/** `<head>{<key>}<tail>`, or, when Redis would not hash that beside `key`, the name that it does. */
export function nameBeside(head: string, key: string, tail: string): string {
  const plain = `${head}{${key}}${tail}`;
  if (!/[{}]/.test(head + key) || hashSlot(plain) === hashSlot(key)) return plain;
  const hashed = hashedPart(key);
  const tag = hashed !== key ? hashed : standIn(hashSlot(key));
  return `${head}{${tag}}${key}${tail}`;
}

/** The Redis Cluster slot of a key. */
export function hashSlot(key: string): number {
  return crc16(Buffer.from(hashedPart(key), 'utf8')) % SLOTS;
}

/** The part of a key Redis Cluster hashes. */
function hashedPart(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** The first `~<n>` that hashes to `slot` (at most about 114,000 tries; each slot is searched once). */
function standIn(slot: number): string {
  let found = standIns.get(slot);
  for (let n = 0; found === undefined; n++) {
    const candidate = `~${n}`;
    if (hashSlot(candidate) === slot) found = candidate;
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
