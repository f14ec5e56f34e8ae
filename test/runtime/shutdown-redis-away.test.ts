/**
 * Shutdown when Redis does not answer: it ends within -t plus a few seconds whatever Redis does, says what it could
 * not give back, and exits 1; the jobs it held stay in its in-progress list for a rescuer.
 */
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT, type RuntimeProcess, waitUntil } from '../support/runtime-process.js';

const fixture = useRedis({ persistent: true });
const SLEEPER_REGISTRY = `${REPO_ROOT}fixtures/registries/sleeper.mjs`;

/** -t 2, and the few seconds shutdown gives the steps after the drain, and a margin for a loaded machine. */
const STOP_WITHIN_MS = 2_000 + 3_000 + 3_000;

async function identityOf(runtime: RuntimeProcess): Promise<string> {
  const line = await runtime.waitForLine(/identity=\S+/);
  return /identity=(\S+)/.exec(line)![1]!;
}

async function redisPid(): Promise<number> {
  const info = await fixture.redis.info('server');
  return Number(/process_id:(\d+)/.exec(info)![1]);
}

/** SIGTERM, then the exit code and how long the exit took; a process still there after 20 s is killed. */
async function timedStop(runtime: RuntimeProcess): Promise<{ code: number | string; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('still running 20 s after SIGTERM'), 20_000);
  });
  const code = await Promise.race([runtime.stop('SIGTERM'), hung]);
  clearTimeout(timer);
  const ms = performance.now() - started;
  await runtime.stop('SIGKILL');
  return { code, ms };
}

async function threeHangingJobs(): Promise<{
  runtime: RuntimeProcess;
  identity: string;
  payloads: string[];
}> {
  await fixture.client.pushBulk({ class: 'Probe', args: [['hang'], ['hang'], ['hang']] });
  const payloads = await fixture.redis.lrange('queue:default', 0, -1);
  const runtime = fixture.run(['-c', '3', '-t', '2']);
  const identity = await identityOf(runtime);
  await waitUntil('3 jobs running', () => (runtime.output().match(/INFO: start/g)?.length ?? 0) === 3);
  return { runtime, identity, payloads };
}

describe('shutdown without Redis', () => {
  it('with a mistyped Redis URL, TERM ends the process within seconds, saying it never reached Redis; exit 1', async () => {
    const runtime = fixture.run(['-t', '2'], { url: 'redis://127.0.0.1:1/0' });
    await runtime.waitForLine(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/0/);
    const { code, ms } = await timedStop(runtime);
    console.log(`mistyped URL: exit ${code} ${(ms / 1000).toFixed(1)} s after SIGTERM`);
    expect(code).toBe(1);
    expect(ms).toBeLessThan(STOP_WITHIN_MS);
    expect(runtime.output()).toMatch(/never reached Redis at redis:\/\/127\.0\.0\.1:1\/0: no job was taken/);
  });

  it('with Redis SIGKILLed while jobs run, TERM ends the process within -t plus a few seconds; the jobs stay in its in-progress list', async () => {
    const { runtime, identity, payloads } = await threeHangingJobs();
    await fixture.server.kill();
    try {
      await runtime.waitForLine(/lost the connection to Redis/);
      const { code, ms } = await timedStop(runtime);
      console.log(`redis killed: exit ${code} ${(ms / 1000).toFixed(1)} s after SIGTERM with -t 2`);
      expect(code).toBe(1);
      expect(ms).toBeLessThan(STOP_WITHIN_MS);
      expect(runtime.output()).toContain(
        `could not give back 3 job(s): they stay in the in-progress list of ${identity} and a rescuer will return them after its heartbeat expires`,
      );
    } finally {
      await fixture.server.restart();
    }
    const inProgress = await fixture.redis.keys('sidepunch:in-progress:*');
    expect(inProgress).toHaveLength(1);
    expect(new Set(await fixture.redis.lrange(inProgress[0]!, 0, -1))).toEqual(new Set(payloads));
  });

  it('with Redis frozen (SIGSTOP) while jobs run, TERM ends the process within -t plus a few seconds; exit 1', async () => {
    const { runtime, identity, payloads } = await threeHangingJobs();
    const pid = await redisPid();
    process.kill(pid, 'SIGSTOP');
    try {
      const { code, ms } = await timedStop(runtime);
      console.log(`redis frozen: exit ${code} ${(ms / 1000).toFixed(1)} s after SIGTERM with -t 2`);
      expect(code).toBe(1);
      expect(ms).toBeLessThan(STOP_WITHIN_MS);
      expect(runtime.output()).toContain(
        `could not give back 3 job(s): they stay in the in-progress list of ${identity}`,
      );
      expect(runtime.output()).toContain(`could not deregister ${identity}`);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // Commands the frozen server had received before the disconnect still run when it wakes: each job is back in
    // its queue or still in the in-progress list, once.
    const inProgress = await fixture.redis.keys('sidepunch:in-progress:*');
    const everywhere = await fixture.redis.lrange('queue:default', 0, -1);
    for (const key of inProgress) everywhere.push(...(await fixture.redis.lrange(key, 0, -1)));
    expect(everywhere.sort()).toEqual([...payloads].sort());
  });

  it('with Redis frozen as jobs finish, TERM says how many outcomes it could not write; exit 1', async () => {
    await fixture.client.pushBulk({ class: 'Sleep', args: [[1000], [1000]] });
    const runtime = fixture.run(['-c', '2', '-t', '2'], { registry: SLEEPER_REGISTRY });
    const identity = await identityOf(runtime);
    await waitUntil('2 jobs taken', async () => (await fixture.redis.llen('queue:default')) === 0);
    const pid = await redisPid();
    process.kill(pid, 'SIGSTOP');
    try {
      const { code, ms } = await timedStop(runtime);
      console.log(`redis frozen, outcomes unwritten: exit ${code} ${(ms / 1000).toFixed(1)} s after SIGTERM`);
      expect(code).toBe(1);
      expect(ms).toBeLessThan(STOP_WITHIN_MS);
      expect(runtime.output()).toContain(
        `could not write 2 job outcome(s): the jobs stay in the in-progress list of ${identity} and run again once a rescuer returns them`,
      );
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });

  it.each([['--threads'], ['--processes']])(
    'with %s 2 and Redis frozen while jobs run, TERM ends every worker and the process within -t plus a few seconds; exit 1',
    async (mode) => {
      await fixture.client.pushBulk({ class: 'Probe', args: [['hang'], ['hang']] });
      const runtime = fixture.run([mode, '2', '-c', '1', '-t', '2']);
      await waitUntil('every job taken', async () => (await fixture.redis.llen('queue:default')) === 0);
      await waitUntil('a job running', () => /INFO: start/.test(runtime.output()));
      const pid = await redisPid();
      process.kill(pid, 'SIGSTOP');
      try {
        const { code, ms } = await timedStop(runtime);
        console.log(
          `${mode} 2, redis frozen: exit ${code} ${(ms / 1000).toFixed(1)} s after SIGTERM with -t 2`,
        );
        expect(code).toBe(1);
        expect(ms).toBeLessThan(STOP_WITHIN_MS);
        const left = [...runtime.output().matchAll(/could not give back (\d+) job\(s\)/g)];
        expect(left.reduce((sum, match) => sum + Number(match[1]), 0)).toBe(2);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    },
  );
});
