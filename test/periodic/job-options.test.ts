/**
 * A periodic job is the job the client would push for the entry's stub: the worker's own options under the stub's
 * and the entry's, `unique` as its wire fields with its lock taken in the claim, `limit` left to the worker class,
 * and `debounce` refused when the registry is loaded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { workerStub } from '../../runtime/client/stub.js';
import { FakeClock } from '../../runtime/core/clock.js';
import { type PeriodicEntry, periodic, periodicEntriesOf } from '../../runtime/core/periodic.js';
import { periodicProblem } from '../../runtime/core/periodic-check.js';
import { SidepunchApi } from '../../runtime/index.js';
import { type PeriodicProcess, periodicProcess } from '../support/periodic-process.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
const START = Date.UTC(2026, 5, 1, 5, 59, 59, 300);
const opened: PeriodicProcess[] = [];

afterEach(() => {
  for (const process of opened.splice(0)) process.close();
});

function start(clock: FakeClock, entries: readonly PeriodicEntry[]): PeriodicProcess {
  const process = periodicProcess(fixture.server.url, clock, entries);
  opened.push(process);
  return process;
}

async function queued(queue = 'default'): Promise<Record<string, any>[]> {
  return (await fixture.redis.lrange(`queue:${queue}`, 0, -1)).reverse().map((raw) => JSON.parse(raw));
}

class Sync {
  static sidepunchOptions = { unique: { for: 600 }, limit: { kind: 'concurrent', limit: 1 } } as const;
  perform(_what: string): void {}
}

describe('the job of a periodic entry', () => {
  it('a unique stub: ticks while its job is pending push nothing, and the job carries the unique fields, not the options', async () => {
    const clock = new FakeClock(START);
    const stub = workerStub<[string]>('Sync', Sync.sidepunchOptions);
    const process = start(clock, [periodic('every-minute', '* * * * *', stub, ['x'])]);
    await process.enqueuer.begin();
    for (let minute = 0; minute < 3; minute++) {
      clock.advance(60_000);
      await process.enqueuer.tick();
    }
    const jobs = await queued();
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    expect(job).toMatchObject({ unique_for: 600, unique_until: 'success', class: 'Sync', args: ['x'] });
    expect(job).not.toHaveProperty('unique');
    expect(job).not.toHaveProperty('limit');
    expect(await fixture.redis.get(`unique:${job!.unique_digest}`)).toBe(job!.jid);
    // The ticks were claimed all the same: the next one after the lock goes is the next tick, not these.
    expect(await fixture.redis.hget('sidepunch:periodic:every-minute', 'last_tick')).toBe(
      String(Date.UTC(2026, 5, 1, 6, 2) / 1000),
    );
    await fixture.redis.del(`unique:${job!.unique_digest}`); // the job ran
    clock.advance(60_000);
    expect(await process.enqueuer.tick()).toBe(1);
    expect(await queued()).toHaveLength(2);
  });

  it('"enqueue now" of a unique entry takes its lock too: none while its job is pending', async () => {
    const clock = new FakeClock(START);
    const stub = workerStub<[string]>('Sync', Sync.sidepunchOptions);
    const process = start(clock, [periodic('every-minute', '* * * * *', stub, ['x'])]);
    await process.enqueuer.begin();
    const api = new SidepunchApi({ redis: fixture.redis, clock });
    const jid = await api.periodic.enqueueNow('every-minute');
    expect(jid).toBeDefined();
    expect(await api.periodic.enqueueNow('every-minute')).toBeUndefined();
    const jobs = await queued();
    expect(jobs).toHaveLength(1);
    expect(await fixture.redis.get(`unique:${jobs[0]!.unique_digest}`)).toBe(jid);
  });

  it("a hand-written registry's entry gets the worker's own queue and retry, under the entry's", async () => {
    class SalesReport {
      static sidepunchOptions = { queue: 'reports', retry: 2 };
      perform(): void {}
    }
    const workers = { SalesReport };
    const [plain, moved] = periodicEntriesOf({
      workers,
      periodic: [
        periodic('plain', '* * * * * *', workerStub<[]>('SalesReport'), []),
        periodic('moved', '* * * * * *', workerStub<[]>('SalesReport'), [], { queue: 'low' }),
      ],
    })!;
    const clock = new FakeClock(START);
    const process = start(clock, [plain!, moved!]);
    await process.enqueuer.begin();
    clock.advance(1000);
    expect(await process.enqueuer.tick()).toBe(2);
    expect(await queued('reports')).toMatchObject([{ queue: 'reports', retry: 2 }]);
    expect(await queued('low')).toMatchObject([{ queue: 'low', retry: 2 }]);
    expect(await fixture.redis.llen('queue:default')).toBe(0);
  });

  it('a debounced stub is refused when the registry is loaded, in one line', () => {
    const debounced = workerStub<[string]>('Sync', { debounce: { for: 30 } });
    expect(periodicProblem([periodic('sync', '@hourly', debounced, ['x'])], { Sync }, undefined)).toBe(
      'periodic entry "sync": Sync is debounced, and a periodic job cannot wait to be replaced; give the entry jobs.Sync.set({ debounce: false })',
    );
    class Debounced {
      static sidepunchOptions = { debounce: { for: 30 } };
      perform(): void {}
    }
    expect(
      periodicProblem(
        [periodic('sync', '@hourly', workerStub<[]>('Debounced'), [])],
        { Debounced },
        undefined,
      ),
    ).toMatch(/^periodic entry "sync": Debounced is debounced/);
  });
});
