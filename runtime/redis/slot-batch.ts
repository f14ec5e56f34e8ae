/**
 * Writes that go together. On one Redis (or a Sentinel group's primary) they are one MULTI, as they always were.
 * A Redis Cluster refuses a MULTI that spans hash slots, so there each key gets its own MULTI; those of one step
 * are sent at once, and the commands after `nextStep()` are sent only once the earlier step is written. Callers
 * order their steps so that a crash between two leaves a job in two places, never in none (docs/scaling.md).
 */
import type { ChainableCommander } from 'ioredis';
import { isCluster, type RedisConnection } from './redis-connection.js';

export class SlotBatch {
  private readonly single?: ChainableCommander;
  private readonly steps: Map<string, ChainableCommander>[] = [new Map()];

  constructor(private readonly redis: RedisConnection) {
    if (!isCluster(redis)) this.single = redis.multi();
  }

  /** Where to queue commands on `key` (and only on `key`, or on keys sharing its hash tag). */
  on(key: string): ChainableCommander {
    if (this.single) return this.single;
    const step = this.steps[this.steps.length - 1]!;
    let multi = step.get(key);
    if (!multi) {
      multi = this.redis.multi();
      step.set(key, multi);
    }
    return multi;
  }

  /** What is queued from now on is written after what was queued so far (one MULTI keeps that order anyway). */
  nextStep(): this {
    if (!this.single) this.steps.push(new Map());
    return this;
  }

  /** Writes everything; resolves to each MULTI's replies (one MULTI on one Redis), or throws the first error. */
  async exec(): Promise<Map<ChainableCommander, unknown[]>> {
    const replies = new Map<ChainableCommander, unknown[]>();
    const run = async (multi: ChainableCommander) => {
      const results = await multi.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error('the transaction was aborted');
      replies.set(
        multi,
        results.map(([, reply]) => reply),
      );
    };
    if (this.single) await run(this.single);
    else for (const step of this.steps) await Promise.all([...step.values()].map(run));
    return replies;
  }
}
