/**
 * How many jobs the manager takes ahead of its free slots. Taken jobs stay in the in-progress list, so nothing
 * is at risk; the cost is fairness: a job taken ahead waits here while another process may be idle. So the
 * buffer follows the work:
 *  - enough to cover a fetch round trip at the current pace (`concurrency × fetch time / job time`), so slots do not
 *    wait for Redis when jobs are fast;
 *  - never more than about 20 ms of work per slot, so slow or CPU-bound jobs are not hoarded (a fetch measured
 *    here also waits for an event loop busy with those jobs, which would otherwise inflate the estimate);
 *  - at least `concurrency`, at most 500;
 *  - and, whatever the pace, never more than about 16 MB of payloads waiting, at least one job (530 jobs of 2 MB
 *    were a 1 GB fetch reply and a worker of 1.1 GB).
 */
const MAX_EXTRA = 500;
/** Payload characters the buffer may hold (about bytes: payloads are mostly ASCII). */
const BUFFER_CHARS = 16 * 1024 * 1024;
const HOLD_MS_PER_SLOT = 20;
/** Weight of the newest sample in the moving averages. */
const SMOOTHING = 0.05;

export class PrefetchSizer {
  private jobMs = 1;
  private fetchMs = 0.5;
  /** Characters a payload, on average; unknown until the first fetch. */
  private payloadChars?: number;

  constructor(private readonly concurrency: number) {}

  recordJob(ms: number): void {
    this.jobMs += (ms - this.jobMs) * SMOOTHING;
  }

  recordFetch(ms: number): void {
    this.fetchMs += (ms - this.fetchMs) * SMOOTHING;
  }

  /** What a fetch brought: `jobs` payloads of `chars` characters in all. */
  recordPayloads(jobs: number, chars: number): void {
    if (jobs === 0) return;
    const each = chars / jobs;
    // Large payloads are counted at once, not averaged in slowly: the bound is what keeps the worker's memory.
    this.payloadChars =
      this.payloadChars === undefined || each > this.payloadChars
        ? each
        : this.payloadChars + (each - this.payloadChars) * SMOOTHING;
  }

  /** Jobs to hold beyond the running ones. */
  extra(): number {
    const jobMs = Math.max(this.jobMs, 0.001);
    const perRoundTrip = (this.concurrency * this.fetchMs) / jobMs;
    const holdLimit = this.concurrency * Math.max(1, HOLD_MS_PER_SLOT / jobMs);
    return Math.round(Math.max(this.concurrency, Math.min(perRoundTrip, holdLimit, MAX_EXTRA)));
  }

  /** Jobs to keep taken ahead of the slots, in the buffer the manager starts them from. */
  buffer(): number {
    const byPace = this.concurrency + this.extra();
    if (this.payloadChars === undefined) return byPace;
    return Math.min(byPace, Math.max(1, Math.floor(BUFFER_CHARS / this.payloadChars)));
  }

  /** Fetch again once the buffer is below this. */
  lowWater(): number {
    return Math.min(Math.max(this.concurrency, Math.floor(this.extra() / 2)), Math.ceil(this.buffer() / 2));
  }
}
