/**
 * The keys that exist among exact names and glob patterns (SCAN for the patterns), each once. On a Redis Cluster
 * each primary holds its own slots' keys: every primary is scanned.
 */
import type { Redis } from 'ioredis';
import { isCluster, type RedisConnection } from '../redis/redis-connection.js';

/** `text` as a SCAN pattern that matches it alone. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Patterns with an (escaped) glob character are scanned for; the others are exact names. */
export async function scanKeys(redis: RedisConnection, patterns: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns) {
    if (!/[*?[\\]/.test(pattern)) {
      if ((await redis.exists(pattern)) === 1) found.add(pattern);
      continue;
    }
    const nodes: (Redis | RedisConnection)[] = isCluster(redis) ? redis.nodes('master') : [redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        for (const key of batch) found.add(key);
        cursor = next;
      } while (cursor !== '0');
    }
  }
  return [...found];
}
