/** Rescuing the jobs of dead processes: one rescuer at a time, and quickly when the dead process was on this host. */
import { describe, expect, it } from 'vitest';
import { Keys } from '../../runtime/redis/keys.js';
import { withScripts } from '../../runtime/redis/scripts.js';
import { RescueLock } from '../../runtime/rescue-lock.js';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();

describe('the rescue lock', () => {
  it('a rescuer whose lock expired and was taken by another does not release the other one', async () => {
    const redis = withScripts(fixture.server.connect());
    const keys = new Keys();
    const slow = new RescueLock({ redis, keys, identity: 'host:1:slow' }, 'host:9:dead', 50);
    const next = new RescueLock({ redis, keys, identity: 'host:2:next' }, 'host:9:dead');
    expect(await slow.acquire()).toBe(true);
    expect(await next.acquire()).toBe(false);
    await waitUntil('the slow rescuer to outlast its lock', async () => (await next.acquire()) === true);
    await slow.release();
    expect(await redis.get(keys.rescueLock('host:9:dead'))).toBe('host:2:next');
    await next.release();
    expect(await redis.exists(keys.rescueLock('host:9:dead'))).toBe(0);
  });
});
