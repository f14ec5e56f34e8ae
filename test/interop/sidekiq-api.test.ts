/**
 * Sidekiq's own API (`require "sidekiq/api"`, fixtures/interop/api.rb) reads the state Sidepunch writes, and acts
 * on it: Queue, RetrySet (and `retry`), ScheduledSet, DeadSet, ProcessSet (and `quiet!`, `stop!`), WorkSet, Stats.
 */
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';
import { useInteropApp } from './support/interop-app.js';
import { performedJobs } from './support/performed.js';
import { describeEachSidekiq, runRuby } from './support/ruby-sidekiq.js';

interface RubyJob {
  jid: string;
  klass: string;
  args: unknown[];
  queue: string;
  created_at: number;
  enqueued_at: number | null;
  latency: number;
  item: Record<string, unknown>;
  types: Record<string, string>;
  at: number;
  retry_count: number | null;
  error_class: string | null;
  error_message: string | null;
  failed_at: number | null;
}
interface RubySet {
  size: number;
  jobs: RubyJob[];
}
interface RubyProcess {
  identity: string;
  concurrency: number;
  queues: string[];
  busy: number;
  tag: string;
  hostname: string;
  pid: number;
  labels: string[];
  started_at: number;
  stopping: boolean;
  weights: Record<string, number>[] | null;
  version: string | null;
  embedded: boolean | null;
}

const now = () => Date.now() / 1000;

describe("Sidekiq's API on Sidepunch's state", () => {
  const fixture = useRedis();
  const app = useInteropApp('sidekiq-api');
  const sidepunch = (...args: string[]) =>
    fixture.run(['--heartbeat', '1', '--poll-interval', '1', ...args], { registry: app.registry });

  describeEachSidekiq('read and acted on from Ruby', (sidekiq) => {
    const api = <T>(...args: string[]) => runRuby<T>('api.rb', fixture.server.url, args, sidekiq);

    it('Sidekiq::Queue reads a queue Sidepunch filled: size, latency, each field with its Ruby type', async () => {
      const args = ['ü', 1, 2.5, { nested: [null, true] }];
      const jid = (await fixture.client.push({ class: 'InteropEcho', args }))!;
      const before = now();

      const queue = await api<{ size: number; latency: number; jobs: RubyJob[]; names: string[] }>(
        'queue',
        'default',
      );
      expect(queue.names).toEqual(['default']);
      expect(queue.size).toBe(1);
      expect(queue.latency).toBeGreaterThanOrEqual(0);
      expect(queue.latency).toBeLessThan(now() - before + 5);
      const [job] = queue.jobs;
      expect(job).toMatchObject({ jid, klass: 'InteropEcho', args, queue: 'default' });
      expect(job!.created_at).toBeCloseTo(before, 0);
      expect(job!.enqueued_at).toBeCloseTo(before, 0);
      expect(job!.types).toEqual({
        retry: 'TrueClass',
        queue: 'String',
        args: 'Array',
        class: 'String',
        jid: 'String',
        created_at: 'Float',
        enqueued_at: 'Float',
      });
    });

    it('Sidekiq::RetrySet reads a Sidepunch failure, and its retry from Ruby makes Sidepunch run the job again', async () => {
      const runtime = sidepunch();
      const jid = (await fixture.client.push({ class: 'InteropFlaky', args: ['it broke: ü ✗'] }))!;
      await waitUntil('the failure in the retry set', async () => (await fixture.redis.zcard('retry')) === 1);
      const failedBy = now();

      const retries = await api<RubySet>('retries');
      expect(retries.size).toBe(1);
      const [entry] = retries.jobs;
      expect(entry).toMatchObject({
        jid,
        klass: 'InteropFlaky',
        args: ['it broke: ü ✗'],
        queue: 'default',
        retry_count: 0,
        error_class: 'InteropError',
        error_message: 'it broke: ü ✗',
      });
      expect(entry!.failed_at).toBeCloseTo(failedBy, 0);
      // Sidekiq's first retry comes 15 to 24 s after the failure.
      expect(entry!.at - entry!.failed_at!).toBeGreaterThanOrEqual(15);
      expect(entry!.at - entry!.failed_at!).toBeLessThan(25);
      expect(entry!.types).toMatchObject({
        failed_at: 'Float',
        retry_count: 'Integer',
        error_class: 'String',
      });

      await api('retry', jid);
      await waitUntil(
        'Sidepunch ran the job again',
        async () => (await performedJobs(fixture.redis))[jid] !== undefined,
      );
      expect((await performedJobs(fixture.redis))[jid]).toEqual({ by: 'sidepunch', args: ['it broke: ü ✗'] });
      expect(await fixture.redis.zcard('retry')).toBe(0);

      // Counters reach Redis with the heartbeat.
      await waitUntil(
        'the heartbeat counted both runs',
        async () => Number(await fixture.redis.get('stat:processed')) === 2,
      );
      const stats = await api<Record<string, unknown>>('stats');
      expect(stats).toMatchObject({ processed: 2, failed: 1, retry_size: 0, enqueued: 0, dead_size: 0 });
      expect(Object.values(stats.history_processed as Record<string, number>)).toEqual([2]);
      expect(await runtime.stop('SIGTERM')).toBe(0);
    });

    it('Sidekiq::ScheduledSet and Sidekiq::DeadSet read what Sidepunch scheduled and killed', async () => {
      const pushedFrom = now();
      const inAnHour = (await fixture.client.push({ class: 'InteropEcho', args: ['later', 1], in: 3600 }))!;
      const pushedBy = now();
      const doomed = (await fixture.client.push({
        class: 'InteropDoomed',
        args: ['no retries left'],
        retry: 0,
      }))!;
      const killedFrom = now();
      const runtime = sidepunch();
      await waitUntil(
        'the doomed job in the dead set',
        async () => (await fixture.redis.zcard('dead')) === 1,
      );
      const killedBy = now();
      expect(await runtime.stop('SIGTERM')).toBe(0);

      const scheduled = await api<RubySet>('scheduled');
      expect(scheduled.size).toBe(1);
      expect(scheduled.jobs[0]).toMatchObject({ jid: inAnHour, klass: 'InteropEcho', args: ['later', 1] });
      expect(scheduled.jobs[0]!.at).toBeGreaterThanOrEqual(pushedFrom + 3600 - 0.001);
      expect(scheduled.jobs[0]!.at).toBeLessThanOrEqual(pushedBy + 3600 + 0.001);
      expect(scheduled.jobs[0]!.enqueued_at).toBeNull();

      const dead = await api<RubySet>('dead');
      expect(dead.size).toBe(1);
      expect(dead.jobs[0]).toMatchObject({
        jid: doomed,
        klass: 'InteropDoomed',
        args: ['no retries left'],
        retry_count: 0,
        error_class: 'InteropError',
        error_message: 'no retries left',
      });
      // Bracketed by clock readings around the run: Ruby's start can take seconds on a loaded machine.
      expect(dead.jobs[0]!.at).toBeGreaterThanOrEqual(killedFrom - 0.001);
      expect(dead.jobs[0]!.at).toBeLessThanOrEqual(killedBy + 0.001);

      const stats = await api<Record<string, unknown>>('stats');
      expect(stats).toMatchObject({ scheduled_size: 1, dead_size: 1, retry_size: 0, failed: 1 });
    });

    it('Sidekiq::ScheduledSet reads a debounced job as any scheduled job: one, with the last push’s arguments', async () => {
      const debounce = { for: 3600, by: [0] };
      const pushedFrom = now();
      await fixture.client.push({ class: 'InteropEcho', args: ['counter', 1], debounce });
      const last = (await fixture.client.push({ class: 'InteropEcho', args: ['counter', 2], debounce }))!;
      const pushedBy = now();
      const scheduled = await api<RubySet>('scheduled');
      expect(scheduled.size).toBe(1);
      expect(scheduled.jobs[0]).toMatchObject({ jid: last, klass: 'InteropEcho', args: ['counter', 2] });
      expect(scheduled.jobs[0]!.at).toBeGreaterThanOrEqual(pushedFrom + 3600 - 0.001);
      expect(scheduled.jobs[0]!.at).toBeLessThanOrEqual(pushedBy + 3600 + 0.001);
    });

    it('Sidekiq::ProcessSet sees a running sidepunch-run (concurrency, queues, busy); quiet! and stop! act on it', async () => {
      const startedFrom = now();
      const runtime = sidepunch('-c', '7', '-q', 'default', '-q', 'other', '--tag', 'interop');
      const holding = (await fixture.client.push({ class: 'InteropHold', args: ['p'] }))!;
      await waitUntil(
        'a heartbeat with the held job',
        async () =>
          (await fixture.redis.smembers('processes')).length === 1 &&
          (await fixture.redis.hget((await fixture.redis.smembers('processes'))[0]!, 'busy')) === '1',
      );

      const startedBy = now();
      const { processes } = await api<{ processes: RubyProcess[] }>('processes');
      expect(processes).toHaveLength(1);
      const [process] = processes;
      expect(process).toMatchObject({
        concurrency: 7,
        queues: ['default', 'other'],
        busy: 1,
        tag: 'interop',
        pid: runtime.child.pid,
        stopping: false,
      });
      expect(process!.started_at).toBeGreaterThanOrEqual(startedFrom - 0.001);
      expect(process!.started_at).toBeLessThanOrEqual(startedBy + 0.001);
      // 7.x's fields: strict order (no weights given) is weight 0 for each queue, as Sidekiq writes it.
      expect(process).toMatchObject({
        weights: [{ default: 0, other: 0 }],
        version: expect.stringMatching(/^sidepunch \d/),
        embedded: false,
      });
      const work =
        await api<
          {
            process: string;
            work: { queue: string; run_at: number; payload: RubyJob['item']; api?: string };
          }[]
        >('work');
      expect(work).toHaveLength(1);
      expect(work[0]!.process).toBe(process!.identity);
      expect(work[0]!.work).toMatchObject({
        queue: 'default',
        payload: { jid: holding, class: 'InteropHold' },
      });
      expect(Number.isInteger(work[0]!.work.run_at)).toBe(true);
      // 7.x lists running jobs as Sidekiq::Work objects (6.4: plain hashes).
      expect(work[0]!.work.api).toBe(sidekiq.major >= 7 ? 'Sidekiq::Work' : undefined);

      await api('quiet', process!.identity);
      await waitUntil('quiet', async () => (await fixture.redis.hget(process!.identity, 'quiet')) === 'true');
      expect((await api<{ processes: RubyProcess[] }>('processes')).processes[0]!.stopping).toBe(true);
      const afterQuiet = (await fixture.client.push({ class: 'InteropEcho', args: ['stays queued'] }))!;

      await api('stop', process!.identity);
      await runtime.waitForLine(/TERM received through Redis/);
      await fixture.redis.set('interop:release:p', '1');
      expect(await runtime.exited).toBe(0);

      const performed = await performedJobs(fixture.redis);
      expect(Object.keys(performed)).toEqual([holding]);
      expect(await fixture.redis.lrange('queue:default', 0, -1)).toEqual([
        expect.stringContaining(afterQuiet),
      ]);
      expect((await api<{ size: number }>('processes')).size).toBe(0);
    });
  });
});
