import { describe, expect, it } from 'vitest';
import { parseJob } from '../../runtime/core/job.js';
import { withExactBytes } from '../../runtime/server/exact-bytes.js';
import { UnitOfWork } from '../../runtime/server/unit-of-work.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
const KEY = 'sidepunch:in-progress:{queue:default}:test';

// Three byte strings with the same decoding, '{"a":"\uFFFD"}': two are not UTF-8, one is.
const payload = (middle: number[]): Buffer =>
  Buffer.concat([Buffer.from('{"a":"'), Buffer.from(middle), Buffer.from('"}')]);
const INVALID = payload([0xff]);
const OTHER_INVALID = payload([0x80]);
const VALID = payload([0xef, 0xbf, 0xbd]);
const DECODED = VALID.toString();

const unit = (exactBytes?: Buffer, raw = DECODED) => new UnitOfWork(raw, 'default', KEY, exactBytes);

describe('the exact bytes of payloads that are not UTF-8', () => {
  it('units with the same decoding each get a distinct entry, none held by another unit', async () => {
    await fixture.redis.lpush(KEY, INVALID, OTHER_INVALID, VALID, INVALID);
    const holding = [unit(OTHER_INVALID)];
    const units = await withExactBytes(fixture.redis, KEY, [unit(), unit(), unit()], holding);
    const stored = units.map((each) => each.stored);
    // The UTF-8 one needs no bytes: its string is exact.
    expect(stored.filter((each) => each === DECODED)).toHaveLength(1);
    const bytes = stored.filter((each): each is Buffer => Buffer.isBuffer(each));
    expect(bytes).toHaveLength(2);
    for (const each of bytes) expect(each.equals(INVALID)).toBe(true);
  });

  it('a unit whose twin acknowledgement is being written still gets the bytes of its entry', async () => {
    // The held twin's entry was removed already (its acknowledgement reached Redis, not yet confirmed).
    await fixture.redis.lpush(KEY, INVALID);
    const [taken] = await withExactBytes(fixture.redis, KEY, [unit()], [unit(INVALID)]);
    expect((taken!.stored as Buffer).equals(INVALID)).toBe(true);
  });

  it('a payload without U+FFFD is left as read', async () => {
    const plain = unit(undefined, '{"a":1}');
    expect(await withExactBytes(fixture.redis, KEY, [plain], [])).toEqual([plain]);
  });

  it('such a payload is unperformable, and the reason names the first invalid byte', () => {
    expect(parseJob(OTHER_INVALID.toString(), OTHER_INVALID)).toEqual({
      ok: false,
      reason: 'payload is not valid UTF-8 (byte 0x80 at offset 6)',
    });
    // A real U+FFFD and a two-byte character first: the offset counts bytes, not characters.
    const before = Buffer.from('{"a":"\uFFFD\u00e9", "b":"');
    const late = Buffer.concat([before, Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(before.length).toBe(19);
    expect(parseJob(late.toString(), late)).toMatchObject({
      reason: 'payload is not valid UTF-8 (byte 0xc3 at offset 19)',
    });
  });
});
