/**
 * The proof issue #21 asks for: three real `sidepunch-run` processes share an every-second periodic entry for 20 s;
 * half-way, the process that enqueued the latest tick is killed with SIGKILL. Every tick of the window must have
 * exactly one job. Sidepunch has no leader (each tick is claimed atomically by whichever process comes first), so
 * there is no takeover time: the survivors enqueue the next tick on time. Prints the figures.
 */
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT, type RuntimeProcess, startRuntime, waitUntil } from '../support/runtime-process.js';

const REGISTRY = `${REPO_ROOT}fixtures/registries/periodic.mjs`;
const WINDOW = 20;
const fixture = useRedis();

interface Enqueued {
  readonly tick: number;
  readonly jid: string;
  readonly enqueuedAt: number;
}

async function enqueued(): Promise<Enqueued[]> {
  return (await fixture.redis.lrange('queue:ticks', 0, -1)).map((raw) => {
    const job = JSON.parse(raw);
    return { tick: job.periodic.tick, jid: job.jid, enqueuedAt: job.enqueued_at };
  });
}

async function lastTick(): Promise<number> {
  return Number((await fixture.redis.hget('sidepunch:periodic:every-second', 'last_tick')) ?? 0);
}

describe('periodic jobs across a fleet', () => {
  it('three processes, an every-second entry for 20 s, the enqueuing one killed -9 half-way: 20 jobs, 20 ticks', async () => {
    const names = ['one', 'two', 'three'];
    // They fetch only `default`: the entry's jobs stay on `ticks`, where the test counts them.
    const processes: RuntimeProcess[] = names.map((name) =>
      startRuntime(fixture.server.url, ['-c', '2', '-q', 'default', '-v', REGISTRY], {
        SIDEPUNCH_NONCE: `periodic-${name}`,
      }),
    );
    try {
      await Promise.all(processes.map((process) => process.waitForLine(/periodic: 1 entries/)));
      const first = Math.floor(Date.now() / 1000) + 2;
      const last = first + WINDOW - 1;
      await waitUntil(
        'the middle of the window',
        async () => (await lastTick()) >= first + WINDOW / 2,
        30_000,
      );
      // The process that enqueued the latest tick: its debug line names the tick.
      const latest = await lastTick();
      const stamp = new Date(latest * 1000).toISOString();
      // Info and debug lines are written in chunks, up to 10 ms after the write to Redis the test just saw.
      const enqueuedLine = `enqueued "every-second" for ${stamp}`;
      await waitUntil('the enqueuing process says so', () =>
        processes.some((process) => process.output().includes(enqueuedLine)),
      );
      const victimIndex = processes.findIndex((process) => process.output().includes(enqueuedLine));
      expect(victimIndex).toBeGreaterThanOrEqual(0);
      const victim = processes[victimIndex]!;
      const killedAt = Date.now() / 1000;
      expect(await victim.stop('SIGKILL')).toBe('SIGKILL');
      await waitUntil('the end of the window', async () => (await lastTick()) >= last + 1, 30_000);
      const survivors = processes.filter((process) => process !== victim);
      for (const process of survivors) expect(await process.stop()).toBe(0);

      const all = await enqueued();
      const inWindow = all.filter((job) => job.tick >= first && job.tick <= last);
      const ticks = new Set(inWindow.map((job) => job.tick));
      const duplicates = all.length - new Set(all.map((job) => job.tick)).size;
      const ordered = [...inWindow].sort((a, b) => a.tick - b.tick);
      const lateness = ordered.map((job) => job.enqueuedAt - job.tick);
      let maxGap = 0;
      for (let i = 1; i < ordered.length; i++)
        maxGap = Math.max(maxGap, ordered[i]!.enqueuedAt - ordered[i - 1]!.enqueuedAt);
      const afterKill = ordered.find((job) => job.tick > killedAt);
      const byProcess = processes.map(
        (process, i) =>
          `${names[i]}${process === victim ? ' (killed)' : ''} ${
            process.output().match(/enqueued "every-second" for/g)?.length ?? 0
          }`,
      );
      console.log(
        `periodic proof: 3 processes, ${WINDOW} s window: ${inWindow.length} jobs, ${ticks.size} distinct ticks, ` +
          `${duplicates} duplicates in all ${all.length} jobs, ${WINDOW - ticks.size} missed; ` +
          `max lateness ${(Math.max(...lateness) * 1000).toFixed(0)} ms after its tick, ` +
          `max gap between two enqueues ${(maxGap * 1000).toFixed(0)} ms; ` +
          `the first tick after the kill enqueued ${afterKill ? ((afterKill.enqueuedAt - afterKill.tick) * 1000).toFixed(0) : '?'} ms after its time (no takeover); ` +
          `enqueued by: ${byProcess.join(', ')}`,
      );
      expect(inWindow).toHaveLength(WINDOW);
      expect(ticks.size).toBe(WINDOW);
      expect(duplicates).toBe(0);

      // The jobs know their tick: a process that works `ticks` records each one's.
      const worker = startRuntime(fixture.server.url, ['-c', '5', '-q', 'ticks', REGISTRY]);
      processes.push(worker);
      // This process runs the registry's periodic entry too, so it may enqueue and perform later ticks: only the
      // jobs above count.
      const expected = all.map((job) => `${job.tick} ${job.jid}`);
      const missing = async () => {
        const performed = new Set(await fixture.redis.lrange('probe:periodic:ticks', 0, -1));
        return expected.filter((line) => !performed.has(line));
      };
      await waitUntil('every job performed', async () => (await missing()).length === 0, 30_000);
      expect(await missing()).toEqual([]);
    } finally {
      for (const process of processes) await process.stop('SIGKILL');
    }
  });
});
