/**
 * Tells a job that trickled into an idle process from one a backlog handed over, by how long the blocking fetch
 * that brought it took: a BLMOVE that found a job waiting answers within about a round trip (the fastest of the
 * last fetch.lua calls), one that waited for the push answers later. After a trickling job the queues were empty,
 * so the fetcher blocks again instead of asking fetch.lua for more (fetcher.ts step 2).
 * A busy machine's jitter can make a backlog look like a trickle: the fetch is skipped at most MAX_SKIPS_IN_A_ROW
 * times in a row, so a backlog is never taken one job per round trip for long. The opposite case, a push that
 * reached Redis just before the BLMOVE did, counts as a trickle too when the queues were known to be empty just
 * before: the BLMOVE before it waited, or the last fetch.lua call found nothing. So only two BLMOVEs in a row that
 * found a job waiting mean a backlog, whose third job on is taken by fetch.lua. Until session 17 that case cost a
 * fetch.lua call that found the queues empty, and across a network, where pushes come a round trip or two apart,
 * it fed itself: the call armed the next BLMOVE a round trip late, so it too found its job soon, and one job in ten
 * or more cost three commands more. An LLEN sent behind every BLMOVE to tell exactly would cost every job one.
 */

/** fetch.lua round trips remembered; the fastest stands for the network's. */
const ROUND_TRIPS_KEPT = 8;
/** A wait this much longer than a round trip (ms), and a quarter of one, means the queue was empty. */
const WAIT_MARGIN_MS = 0.5;
const MAX_SKIPS_IN_A_ROW = 32;

export class TrickleDetector {
  private readonly roundTrips: number[] = [];
  private skipsInARow = 0;
  /** The queues were empty when last seen: the last BLMOVE waited for its job, or fetch.lua found none. */
  private queuesEmpty = false;

  /** A fetch.lua call took `ms`. */
  recordFetch(ms: number): void {
    if (this.roundTrips.length === ROUND_TRIPS_KEPT) this.roundTrips.shift();
    this.roundTrips.push(ms);
    this.skipsInARow = 0;
    this.queuesEmpty = false;
  }

  /** The fetch.lua calls of a fetch found every queue empty. */
  foundEmpty(): void {
    this.queuesEmpty = true;
  }

  /**
   * Whether the queues were empty behind a BLMOVE answered `elapsedMs` after it was sent: it waited for its job, or
   * they were empty just before it (its job reached Redis just before it did).
   */
  wasTrickle(elapsedMs: number): boolean {
    const waited = this.waited(elapsedMs);
    const trickle = waited || this.queuesEmpty;
    this.queuesEmpty = waited;
    return trickle;
  }

  /** Whether a BLMOVE answered `elapsedMs` after it was sent had to wait for its job. */
  waited(elapsedMs: number): boolean {
    const roundTrip = this.fastestRoundTrip();
    return roundTrip !== undefined && elapsedMs > roundTrip * 1.25 + WAIT_MARGIN_MS;
  }

  /** The fastest of the remembered fetch.lua round trips (ms): the network's; undefined before the first. */
  private fastestRoundTrip(): number | undefined {
    return this.roundTrips.length === 0 ? undefined : Math.min(...this.roundTrips);
  }

  /** Whether the fetch after a trickling job may be skipped; false every MAX_SKIPS_IN_A_ROW-th time. */
  maySkip(): boolean {
    if (this.skipsInARow >= MAX_SKIPS_IN_A_ROW) return false;
    this.skipsInARow++;
    return true;
  }
}
