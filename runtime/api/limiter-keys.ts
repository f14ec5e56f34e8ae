/** The keys that exist among exact names and glob patterns (SCAN for the patterns), each once. */
import type { RedisConnection } from '../redis/redis-connection.js';

export async function scanKeys(redis: RedisConnection, patterns: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns) {
    if (!/[*?[]/.test(pattern)) {
      if ((await redis.exists(pattern)) === 1) found.add(pattern);
      continue;
    }
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      for (const key of batch) found.add(key);
      cursor = next;
    } while (cursor !== '0');
  }
  return [...found];
}
