import { describe, expect, it } from 'vitest';
import { patchJob } from '../../runtime/core/job-patch.js';

describe('patching a payload keeps every byte it does not change', () => {
  const ruby =
    '{"retry":5,"queue":"critical","args":[1,"two",{"three":3.0},null,true,1180591620717411303424],' +
    '"class":"HardWorker","jid":"d4972d974dcb36150f7122a8","created_at":1795844502.0333574,"enqueued_at":1795844502.0336485}';

  it('replaces a field where it stands and leaves Ruby floats and big integers in the arguments alone', () => {
    const patched = patchJob(ruby, { enqueued_at: 1795844600, queue: 'low' });
    expect(patched).toBe(ruby.replace('"critical"', '"low"').replace('1795844502.0336485', '1795844600.0'));
  });

  it('appends fields that are not there, in the order given', () => {
    const patched = patchJob('{"class":"A","args":[]}', {
      retry_count: 0,
      error_class: 'Error',
      failed_at: 17.5,
    });
    expect(patched).toBe('{"class":"A","args":[],"retry_count":0,"error_class":"Error","failed_at":17.5}');
    expect(patchJob('{}', { a: 1 })).toBe('{"a":1}');
  });

  it('is not fooled by the same key nested in the arguments or inside strings', () => {
    const raw = '{"args":[{"enqueued_at":1},"\\"enqueued_at\\":2 }"],"class":"A","enqueued_at":3.5}';
    expect(patchJob(raw, { enqueued_at: 9 })).toBe(raw.replace('3.5}', '9.0}'));
  });

  it('removes fields with their comma', () => {
    expect(patchJob('{"a":1,"at":2,"b":3}', {}, ['at'])).toBe('{"a":1,"b":3}');
    expect(patchJob('{"a":1,"at":2}', {}, ['at'])).toBe('{"a":1}');
    expect(patchJob('{"at":2,"a":1}', {}, ['at'])).toBe('{"a":1}');
  });

  it('keeps whitespace-formatted payloads parseable', () => {
    const raw = '{ "class" : "A" , "args" : [ 1 , 2 ] }';
    expect(JSON.parse(patchJob(raw, { retry_count: 1, class: 'B' }))).toEqual({
      class: 'B',
      args: [1, 2],
      retry_count: 1,
    });
  });

  it('refuses what is not a JSON object', () => {
    expect(() => patchJob('[1]', { a: 1 })).toThrow(/not a JSON object/);
    expect(() => patchJob('{"a":"x', { a: 1 })).toThrow();
  });
});
