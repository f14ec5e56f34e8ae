/**
 * `npm run bench:idle`: Sidepunch's idle enqueue-to-start latency alone (issue #25's p99 < 3 ms), the scenario of
 * `npm run bench` (bench/scenarios.ts `idleLatency`: jobs pushed one by one 3 ms apart to an idle `-c 10` worker,
 * each timing itself from its push on the monotonic clock), repeated on a private redis-server; prints each run's
 * p50 and p99 and their medians.
 * With --proxy, through the latency proxy (1 ms each way), as the bench's second section runs it. With
 * BENCH_COMMANDS=1 (as for every bench script that measures Redis's cost), each run also prints each command's calls
 * per job on stderr.
 * Usage: npm run bench:idle [-- --jobs 2000 --repeats 5 --proxy]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { destroyRedisServer, startRedisServer } from '../scripts/redis-server.js';
import { spawnLatencyProxy } from './proxy-process.js';
import { idleLatency } from './scenarios.js';

const { values: flags } = parseArgs({
  options: { jobs: { type: 'string' }, repeats: { type: 'string' }, proxy: { type: 'boolean' } },
});
const jobs = Number(flags.jobs ?? 2000);
const repeats = Number(flags.repeats ?? 5);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const us = (value: number) => Math.round(value).toLocaleString('en-US');

const server = await startRedisServer({});
const redis = server.connect();
const proxy = flags.proxy ? await spawnLatencyProxy(server.port) : undefined;
console.log(
  `idle enqueue-to-start latency, ${jobs.toLocaleString('en-US')} jobs 3 ms apart, ${repeats} runs${proxy ? ', through the proxy (1 ms each way)' : ''}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
try {
  const p50s: number[] = [];
  const p99s: number[] = [];
  for (let run = 0; run < repeats; run++) {
    const { p50, p99, commandsPerJob } = await idleLatency(
      { server, redis },
      'sidepunch',
      proxy?.target ?? { url: server.url, port: server.port },
      jobs,
    );
    p50s.push(p50);
    p99s.push(p99);
    console.log(
      `  run ${run + 1}: p50 ${us(p50)} µs, p99 ${us(p99)} µs, ${commandsPerJob.toFixed(1)} commands/job`,
    );
  }
  console.log(`medians: p50 ${us(median(p50s))} µs, p99 ${us(median(p99s))} µs (goal: p99 < 3,000 µs)`);
} finally {
  proxy?.child.kill('SIGTERM');
  await redis.quit();
  await destroyRedisServer(server);
}
process.exit(0);
