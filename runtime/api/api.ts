/**
 * The entry to the data API: one connection, and the objects that read and change Sidekiq's structures on it.
 *
 *   const api = new SidepunchApi({ redis: 'redis://localhost:6379/0' });
 *   for await (const job of api.retries) console.log(job.jid, job.errorMessage);
 *   await api.close();
 *
 * Every class also works on its own with an `ApiConnection` (`openApiConnection`), as Sidekiq's do.
 */

import type { Registry } from '../core/registry.js';
import { type ApiOptions, type OwnedApiConnection, openApiConnection } from './api-connection.js';
import { BatchSet } from './batch-set.js';
import { DeadSet } from './dead-set.js';
import { FlowSet } from './flow-set.js';
import { checkInFlight, type InFlightReport } from './in-flight.js';
import type { JobRecord } from './job-record.js';
import { RetrySet, ScheduledSet } from './job-set.js';
import { LimiterSet } from './limiter-set.js';
import { Metrics } from './metrics-query.js';
import { PeriodicSet } from './periodic-set.js';
import { ProcessSet } from './process-set.js';
import { Queue } from './queue.js';
import { Stats } from './stats.js';
import { type UniqueLockState, uniqueLockOf } from './unique-lock.js';
import { WorkSet } from './work-set.js';

export class SidepunchApi {
  readonly connection: OwnedApiConnection;
  readonly scheduled: ScheduledSet;
  readonly retries: RetrySet;
  readonly dead: DeadSet;
  readonly processes: ProcessSet;
  readonly work: WorkSet;
  readonly stats: Stats;
  /** The periodic entries: list, pause, resume, enqueue now (docs/periodic.md). */
  readonly periodic: PeriodicSet;
  /** Execution metrics per job class, as Sidekiq 7+'s Metrics tab shows them (docs/api.md#metrics). */
  readonly metrics: Metrics;
  /** The limiters the fleet uses: kind, limit, in use, reschedules (docs/unique-and-limits.md). */
  readonly limiters: LimiterSet;
  /** Batches: total, pending, failures, failed and dead members, when each event fired (docs/batches.md). */
  readonly batches: BatchSet;
  /** Workflows: each one's tree with every node's state (docs/workflows.md). */
  readonly workflows: FlowSet;

  constructor(options: ApiOptions = {}) {
    this.connection = openApiConnection(options);
    this.scheduled = new ScheduledSet(this.connection);
    this.retries = new RetrySet(this.connection);
    this.dead = new DeadSet(this.connection);
    this.processes = new ProcessSet(this.connection);
    this.work = new WorkSet(this.connection);
    this.stats = new Stats(this.connection);
    this.periodic = new PeriodicSet(this.connection);
    this.metrics = new Metrics(this.connection);
    this.limiters = new LimiterSet(this.connection);
    this.batches = new BatchSet(this.connection);
    this.workflows = new FlowSet(this.connection);
  }

  queue(name = 'default'): Queue {
    return new Queue(this.connection, name);
  }

  /** Every queue registered in `queues`, sorted by name. */
  queues(): Promise<Queue[]> {
    return Queue.all(this.connection);
  }

  /** The unique lock a job names, and who holds it now; undefined for a job that is not unique. */
  uniqueLock(job: JobRecord): Promise<UniqueLockState | undefined> {
    return uniqueLockOf(this.connection, job);
  }

  /**
   * The jobs already stored (queues, schedule, retries, in progress) that `registry` would reject or must upgrade,
   * per worker and generation of their arguments; reads only (docs/deploys.md).
   */
  checkInFlight(registry: Registry): Promise<InFlightReport> {
    return checkInFlight(this.connection, registry);
  }

  /** Closes the connection if the API opened it. */
  close(): Promise<void> {
    return this.connection.close();
  }
}
