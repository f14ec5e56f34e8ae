/**
 * Ruby → TypeScript: jobs pushed by Ruby's `Sidekiq::Client.push`, `push_bulk` and `perform_in` (fixtures/interop/
 * push.rb) are performed by `sidepunch-run` with exactly the arguments Ruby gave: unicode strings, integers,
 * floats, nested hashes and arrays, nil and booleans; on Sidekiq 6.4.1 and 7.3.9 (strict_args! on both).
 */
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';
import { useInteropApp } from './support/interop-app.js';
import { performedArgs } from './support/performed.js';
import { describeEachSidekiq, runRuby } from './support/ruby-sidekiq.js';

describe('Ruby Sidekiq::Client → sidepunch-run', () => {
  const fixture = useRedis();
  const app = useInteropApp('ruby-client');

  describeEachSidekiq('pushes from Ruby', (sidekiq) => {
    it('performs what Ruby pushed, scheduled and bulk-pushed, with exactly its arguments', async () => {
      const pushed = await runRuby<Record<string, unknown[]>>('push.rb', fixture.server.url, [], sidekiq);
      expect(Object.keys(pushed)).toHaveLength(8);
      expect(await fixture.redis.zcard('schedule')).toBe(1);

      const runtime = fixture.run(['--poll-interval', '1'], { registry: app.registry });
      await waitUntil(
        'every job Ruby pushed performed',
        async () => (await fixture.redis.hlen('interop:performed')) === 8,
        20_000,
      );
      expect(await runtime.stop('SIGTERM')).toBe(0);

      expect(await performedArgs(fixture.redis, 'sidepunch')).toEqual(pushed);
      expect(await fixture.redis.zcard('retry')).toBe(0);
      expect(await fixture.redis.zcard('dead')).toBe(0);
    });
  });
});
