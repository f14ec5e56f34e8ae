/**
 * ioredis decodes replies as UTF-8 with U+FFFD in place of invalid bytes, so a value holding U+FFFD may not be what
 * Redis holds; one without it is exact. The runtime (server/exact-bytes.ts) and the data API (api/exact-values.ts)
 * read such values again as bytes, and only those.
 */

/** True when a decoded value may not be what Redis holds (one scan, which V8 skips for Latin-1 strings). */
export function mayHaveLostBytes(value: string): boolean {
  return value.includes('\uFFFD');
}
