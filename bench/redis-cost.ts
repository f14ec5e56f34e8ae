/**
 * What a scenario cost redis-server, the resource a fleet of workers shares (issue #25): the commands it served
 * (INFO commandstats) and the CPU seconds it used (INFO cpu, user + sys), between two snapshots. The benchmark's
 * own look-ups (INFO, and the GETs it polls stat:processed with, counted by the caller) are left out.
 */
import type { Redis } from 'ioredis';

export interface RedisSnapshot {
  readonly commands: number;
  readonly cpuSeconds: number;
  /** Calls by command name, for BENCH_COMMANDS=1's breakdown. */
  readonly calls: ReadonlyMap<string, number>;
}

export interface RedisCost {
  /** Commands served per job. */
  readonly commandsPerJob: number;
  /** redis-server CPU seconds per 100,000 jobs. */
  readonly cpuPer100k: number;
}

const OWN = new Set(['info', 'config', 'config|resetstat', 'flushall', 'ping']);

export async function redisSnapshot(redis: Redis): Promise<RedisSnapshot> {
  const stats = await redis.info('commandstats');
  const calls = new Map(
    [...stats.matchAll(/cmdstat_([a-z|_-]+):calls=(\d+)/g)]
      .filter(([, name]) => !OWN.has(name!))
      .map(([, name, count]) => [name!, Number(count)] as const),
  );
  const commands = [...calls.values()].reduce((total, count) => total + count, 0);
  const cpu = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(cpu)?.[1] ?? 0);
  return { commands, cpuSeconds: field('used_cpu_user') + field('used_cpu_sys'), calls };
}

/** The cost of `jobs` jobs between `before` and `after`, less `ownCommands` the benchmark sent itself. */
export function redisCost(
  before: RedisSnapshot,
  after: RedisSnapshot,
  jobs: number,
  ownCommands = 0,
): RedisCost {
  if (process.env.BENCH_COMMANDS === '1') printBreakdown(before, after, jobs);
  return {
    commandsPerJob: (after.commands - before.commands - ownCommands) / jobs,
    cpuPer100k: ((after.cpuSeconds - before.cpuSeconds) / jobs) * 100_000,
  };
}

/** Waits until Sidepunch's `stat:processed` reaches `n`; how many GETs that took (the caller's own commands). */
export async function waitForProcessed(redis: Redis, n: number, intervalMs: number): Promise<number> {
  let polls = 1;
  while (Number(await redis.get('stat:processed')) < n) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    polls++;
  }
  return polls;
}

/** BENCH_COMMANDS=1: each command's calls per job between two snapshots, on stderr, to see where a row's cost is. */
function printBreakdown(before: RedisSnapshot, after: RedisSnapshot, jobs: number): void {
  const perJob = [...after.calls]
    .map(([name, count]) => [name, (count - (before.calls.get(name) ?? 0)) / jobs] as const)
    .filter(([, share]) => share > 0)
    .sort((a, b) => b[1] - a[1]);
  console.error(
    `  commands per job: ${perJob.map(([name, share]) => `${name} ${share.toFixed(3)}`).join(', ')}`,
  );
}
