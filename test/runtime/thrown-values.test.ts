/**
 * Whatever a job throws, its outcome is written: retried with a readable error_class and error_message, counted
 * as failed, never left in progress. Real sidepunch-run processes and a real redis-server.
 */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT, waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();
const UNRULY = `${REPO_ROOT}fixtures/registries/unruly.mjs`;

async function retried(): Promise<Map<string, any>> {
  const byJid = new Map<string, any>();
  for (const raw of await fixture.redis.zrange('retry', 0, -1)) {
    const job = JSON.parse(raw);
    byJid.set(job.jid, job);
  }
  return byJid;
}

const EXPECTED: Record<string, { error_class: string; error_message: string }> = {
  'message-getter': { error_class: 'Error', error_message: '!!! ERROR MESSAGE THREW AN ERROR !!!' },
  'name-getter': { error_class: 'NamelessError', error_message: 'a readable message' },
  'to-string': { error_class: 'Error', error_message: '{ toString: [Function: toString] }' },
  proxy: { error_class: 'Error', error_message: '{}' },
  symbol: { error_class: 'Error', error_message: 'Symbol(odd)' },
  null: { error_class: 'Error', error_message: 'null' },
  undefined: { error_class: 'Error', error_message: 'undefined' },
  'null-prototype': { error_class: 'Error', error_message: '[Object: null prototype] { code: 42 }' },
  huge: { error_class: 'Error', error_message: 'x'.repeat(10_000) },
  'cyclic-cause': { error_class: 'Error', error_message: 'outer' },
  'message-not-string': { error_class: 'Error', error_message: 'an object message' },
};

describe('a job that throws a value that is hard to describe', () => {
  it('is retried with a readable error, counted as failed, and the process goes on', async () => {
    const kinds = Object.keys(EXPECTED);
    const jids = new Map<string, string>();
    for (const kind of kinds) {
      jids.set(kind, (await fixture.client.push({ class: 'ThrowsOdd', args: [kind], backtrace: 3 } as any))!);
    }
    const runtime = fixture.run(['-c', '3'], { registry: UNRULY });
    await waitUntil(
      'every job in the retry set',
      async () => (await fixture.redis.zcard('retry')) === kinds.length,
    );

    const entries = await retried();
    for (const kind of kinds) {
      const job = entries.get(jids.get(kind)!);
      expect({ kind, ...job }).toMatchObject({ kind, retry_count: 0, ...EXPECTED[kind] });
    }
    const cyclic = entries.get(jids.get('cyclic-cause')!);
    const frames = JSON.parse(inflateSync(Buffer.from(cyclic.error_backtrace, 'base64')).toString());
    expect(frames).toHaveLength(3);
    expect(frames[0]).toMatch(/unruly\.mjs/);

    expect(await fixture.redis.get('stat:failed')).toBe(String(kinds.length));
    expect(await fixture.redis.get('stat:processed')).toBe(String(kinds.length));
    expect(await fixture.redis.keys('sidepunch:in-progress:*')).toEqual([]);
    expect(runtime.output()).not.toMatch(/internal error/);
    await runtime.waitForLine(/class=ThrowsOdd .*WARN: fail: Error: !!! ERROR MESSAGE THREW AN ERROR !!!/);

    // Still working.
    const next = await fixture.client.push({ class: 'Steady', args: [0, 'after'] });
    await waitUntil('the next job', async () =>
      (await fixture.redis.lrange('unruly:done:after', 0, -1)).includes(next!),
    );
    expect(runtime.child.exitCode).toBeNull();
  });
});
