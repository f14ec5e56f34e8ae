/**
 * How many jobs the manager takes ahead of its free slots. Taken jobs stay in the in-progress list, so nothing
 * is at risk; the cost is fairness: a job taken ahead waits here while another process may be idle. So the
 * buffer follows the work: when jobs finish much faster than a fetch round trip, it grows (up to 500 jobs) so
 * slots never wait for Redis; when jobs are slow, it stays at `concurrency`.
 */
const MAX_EXTRA = 500;
/** Weight of the newest sample in the moving averages. */
const SMOOTHING = 0.05;

export class PrefetchSizer {
  private jobMs = 1;
  private fetchMs = 0.5;

  constructor(private readonly concurrency: number) {}

  recordJob(ms: number): void {
    this.jobMs += (ms - this.jobMs) * SMOOTHING;
  }

  recordFetch(ms: number): void {
    this.fetchMs += (ms - this.fetchMs) * SMOOTHING;
  }

  /** Jobs to hold beyond the running ones: enough to cover a fetch round trip at the current pace. */
  extra(): number {
    const perRoundTrip = (this.concurrency * this.fetchMs) / Math.max(this.jobMs, 0.001);
    return Math.round(Math.min(MAX_EXTRA, Math.max(this.concurrency, perRoundTrip)));
  }

  /** Fetch again once the buffer is below this. */
  lowWater(): number {
    return Math.max(this.concurrency, Math.floor(this.extra() / 2));
  }
}
