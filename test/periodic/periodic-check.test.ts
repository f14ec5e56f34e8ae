/** A hand-written registry's periodic entries, checked when `sidepunch-run` loads it: one clear line per mistake. */
import { describe, expect, it } from 'vitest';
import { workerStub } from '../../runtime/client/stub.js';
import { periodic } from '../../runtime/core/periodic.js';
import { periodicProblem } from '../../runtime/core/periodic-check.js';
import type { ArgsValidator } from '../../runtime/core/registry.js';

class Report {
  perform(_region: string): void {}
}
const workers = { Report };
const stub = workerStub<[string]>('Report');
const validators: Record<string, ArgsValidator> = {
  Report: (args) => (typeof args[0] === 'string' ? undefined : 'args[0]: expected string'),
};

describe('periodic entries in a registry', () => {
  it('well-formed entries pass', () => {
    const entries = [
      periodic('a', '*/5 * * * *', stub, ['eu'], { tz: 'Europe/Paris' }),
      periodic('b', '@hourly', stub, ['us'], { missed: 'last', queue: 'low' }),
    ];
    expect(periodicProblem(entries, workers, validators)).toBeUndefined();
  });

  it('each mistake is named, with the entry it is in', () => {
    const check = (entries: unknown) => periodicProblem(entries, workers, validators);
    expect(check({})).toBe('periodic must be an array of periodic(…) entries');
    expect(check([periodic('a', '@daily', stub, ['x']), periodic('a', '@daily', stub, ['y'])])).toBe(
      'two periodic entries are named "a"',
    );
    expect(check([periodic('a', '0 0 32 * *', stub, ['x'])])).toMatch(
      /^periodic entry "a": cron "0 0 32 \* \*": bad day of month field "32"/,
    );
    expect(check([periodic('a', '@daily', stub, ['x'], { tz: 'Nowhere/City' })])).toMatch(
      /^periodic entry "a": unknown time zone "Nowhere\/City"/,
    );
    expect(check([periodic('a', '@daily', workerStub<[]>('Missing'), [])])).toBe(
      `periodic entry "a": class Missing is not one of the registry's workers`,
    );
    expect(check([periodic('a', '@daily', workerStub<[number]>('Report'), [1])])).toBe(
      'periodic entry "a": its arguments do not fit Report.perform: args[0]: expected string',
    );
    expect(check([{ name: '' }])).toBe('periodic[0]: the name must be a non-empty string');
  });
});
