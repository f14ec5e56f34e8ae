/**
 * A worker `timeout` longer than a Node timer can hold (2,147,483.647 s, about 24.8 days) means no timeout: Node
 * would fire such a timer after 1 ms and fail every job at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerClass } from '../../runtime/core/worker.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';

class Slowish {
  async perform() {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a timeout beyond what a Node timer holds', () => {
  const fixture = useRedis();
  let runtime: InProcessRuntime | undefined;
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });

  /** Runs one job of `className` pushed as `payload` and says how it ended. */
  async function outcomeOf(workers: Record<string, WorkerClass>, payload: string): Promise<string> {
    runtime = startInProcess(fixture.server.url, workers);
    const outcome = Promise.race([
      runtime.next('job:done').then(() => 'done'),
      runtime.next('job:failed').then(({ error }) => `failed: ${(error as Error).message}`),
    ]);
    await fixture.redis.sadd('queues', 'default');
    await fixture.redis.lpush('queue:default', payload);
    return outcome;
  }

  it("a worker's 30-day timeout lets its job run to the end", async () => {
    class MonthLong extends Slowish {
      static sidepunchOptions = { timeout: 2_592_000 };
    }
    const payload =
      '{"class":"MonthLong","args":[],"retry":1,"queue":"default","jid":"a1b2c3d4e5f6a1b2c3d4e5f6"}';
    expect(await outcomeOf({ MonthLong }, payload)).toBe('done');
  });

  it("a payload's timeout too large for a timer, or Infinity (1e400), is no timeout", async () => {
    const payload = (timeout: string, jid: string) =>
      `{"class":"Pushed","args":[],"retry":1,"queue":"default","jid":"${jid}","timeout":${timeout}}`;
    expect(await outcomeOf({ Pushed: Slowish }, payload('1e400', 'b1b2c3d4e5f6a1b2c3d4e5f6'))).toBe('done');
    await runtime?.stop();
    expect(await outcomeOf({ Pushed: Slowish }, payload('3000000', 'c1b2c3d4e5f6a1b2c3d4e5f6'))).toBe('done');
  });
});
