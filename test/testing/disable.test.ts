import { afterEach, beforeEach, expect, it } from 'vitest';
import { close, configure } from '../../runtime/client/default-client.js';
import { clearAll, disable, fake, worker } from '../../runtime/testing/sidepunch-testing.js';
import { useRedis } from '../support/redis-fixture.js';
import { jobs } from './support.js';

const fixture = useRedis();

beforeEach(() => configure({ redis: fixture.server.url }));
afterEach(async () => {
  disable();
  clearAll();
  await close();
});

it('fake mode keeps Redis untouched; disable sends the next pushes to Redis again', async () => {
  fake();
  await jobs.Greet.performAsync('in memory');
  expect(await fixture.redis.llen('queue:mail')).toBe(0);
  disable();
  const jid = await jobs.Greet.performAsync('in redis');
  const [saved] = await fixture.redis.lrange('queue:mail', 0, -1);
  expect(JSON.parse(saved!)).toMatchObject({ jid, args: ['in redis'] });
  expect(worker(jobs.Greet).jobs).toHaveLength(1);
});
