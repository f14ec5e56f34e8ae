/**
 * Writes that go together. On one Redis (or a Sentinel group's primary) they are one MULTI, as they always were.
 * A Redis Cluster refuses a MULTI that spans hash slots, so there each key gets its own MULTI; those of one step
 * are sent at once, and the commands after `nextStep()` are sent only once the earlier step is written. Callers
 * order their steps so that a crash between two leaves a job in two places, never in none (docs/scaling.md).
 *
 * A script queued with `script()` survives Redis losing its script cache (SCRIPT FLUSH, a replica promoted: scripts
 * are not replicated, scripts loaded by EVAL evicted). In a MULTI such a script fails at EXEC with NOSCRIPT after the
 * transaction's other commands ran, and ioredis, which reloads a script when its own call fails, cannot there: it
 * would fail the same way at every retry. exec() runs those calls again on their own, which loads the script again.
 */
import type { ChainableCommander } from 'ioredis';
import { isCluster, type RedisConnection } from './redis-connection.js';
import type { ScriptName } from './scripts.js';

/** A script call queued in a MULTI, at `index` among its commands. */
interface ScriptCall {
  readonly index: number;
  readonly name: ScriptName;
  readonly args: readonly unknown[];
}

type ScriptArgs<Name extends ScriptName> = Parameters<ChainableCommander[Name]>;

export class SlotBatch {
  private readonly single?: ChainableCommander;
  private readonly steps: Map<string, ChainableCommander>[] = [new Map()];
  private readonly scriptCalls = new Map<ChainableCommander, ScriptCall[]>();

  constructor(private readonly redis: RedisConnection) {
    if (!isCluster(redis)) this.single = redis.multi();
  }

  /** Where to queue commands on `key` (and only on `key`, or on keys sharing its hash tag); scripts: `script()`. */
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

  /** Queues Sidepunch script `name` on its first key (`args[0]`): see the header for why not through `on()`. */
  script<Name extends ScriptName>(name: Name, ...args: ScriptArgs<Name>): this {
    const multi = this.on(String(args[0]));
    const calls = this.scriptCalls.get(multi) ?? [];
    this.scriptCalls.set(multi, calls);
    calls.push({ index: multi.length - 1, name, args }); // its reply's index: the MULTI itself is queued first
    (multi[name] as (...args: unknown[]) => ChainableCommander).apply(multi, args);
    return this;
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
      if (!results) throw new Error('the transaction was aborted');
      const calls = this.scriptCalls.get(multi) ?? [];
      const lostScripts: ScriptCall[] = [];
      for (const [index, [error]] of results.entries()) {
        if (!error) continue;
        const call = calls.find((call) => call.index === index);
        if (!call || !error.message.startsWith('NOSCRIPT')) throw error;
        lostScripts.push(call);
      }
      const values = results.map(([, reply]) => reply);
      for (const { index, name, args } of lostScripts) {
        const command = this.redis[name] as (...args: unknown[]) => Promise<unknown>;
        values[index] = await command.apply(this.redis, [...args]);
      }
      replies.set(multi, values);
    };
    if (this.single) await run(this.single);
    else for (const step of this.steps) await Promise.all([...step.values()].map(run));
    return replies;
  }
}
