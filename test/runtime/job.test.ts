import { describe, expect, it } from 'vitest';
import { encodeJob, formatSeconds, newJids, parseJob, toEpochSeconds } from '../../runtime/core/job.js';

describe('job payload encoding', () => {
  it('writes time fields as floats that always carry a "."', () => {
    expect(formatSeconds(1795844502)).toBe('1795844502.0');
    expect(formatSeconds(1795844502.25)).toBe('1795844502.25');
    expect(encodeJob({ class: 'A', args: [1], created_at: 1795844502, enqueued_at: 1795844502.5 })).toBe(
      '{"class":"A","args":[1],"created_at":1795844502.0,"enqueued_at":1795844502.5}',
    );
  });

  it('keeps a Sidekiq 8 integer-millisecond time as it came, and reads both forms as seconds', () => {
    expect(encodeJob({ created_at: 1795844502123 })).toBe('{"created_at":1795844502123}');
    expect(toEpochSeconds(1795844502123)).toBeCloseTo(1795844502.123, 3);
    expect(toEpochSeconds(1795844502.123)).toBeCloseTo(1795844502.123, 3);
    expect(toEpochSeconds('soon')).toBeUndefined();
  });

  it('keeps unknown fields and their order; leaves out undefined ones', () => {
    expect(encodeJob({ z: 1, class: 'A', tags: ['x'], bid: 'b1', gone: undefined })).toBe(
      '{"z":1,"class":"A","tags":["x"],"bid":"b1"}',
    );
  });

  it('makes distinct 24-hex-character jids', () => {
    const jids = newJids(1000);
    expect(new Set(jids).size).toBe(1000);
    for (const jid of jids) expect(jid).toMatch(/^[0-9a-f]{24}$/);
  });

  it('says what is wrong with a payload it cannot perform', () => {
    expect(parseJob('{"class":"A","args":[]}')).toMatchObject({ ok: true });
    expect(parseJob('nope')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^payload is not JSON/),
    });
    expect(parseJob('42')).toMatchObject({ ok: false, reason: 'payload is not a JSON object' });
    expect(parseJob('{"args":[]}')).toMatchObject({ ok: false, reason: 'payload has no "class" string' });
    expect(parseJob('{"class":"A","args":{}}')).toMatchObject({
      ok: false,
      reason: 'payload has no "args" array',
    });
  });
});
