/**
 * Tells a job that trickled into an idle process from one a backlog handed over, by how long the blocking fetch
 * that brought it took: a BLMOVE that found a job waiting answers within about a round trip (the fastest of the
 * last fetch.lua calls), one that waited for the push answers later. After a trickling job the queues were empty,
 * so the fetcher blocks again instead of asking fetch.lua for more (fetcher.ts step 2).
 * A busy machine's jitter can make a backlog look like a trickle: the fetch is skipped at most MAX_SKIPS_IN_A_ROW
 * times in a row, so a backlog is never taken one job per round trip for long. The opposite mistake (a push that
 * reached Redis just before the BLMOVE did, as across a network where pushes come a round trip or two apart) costs
 * one fetch.lua call that finds the queue empty: two commands now and then, where an LLEN sent behind every BLMOVE
 * to tell exactly would cost every job one.
 */

/** fetch.lua round trips remembered; the fastest stands for the network's. */
const ROUND_TRIPS_KEPT = 8;
/** A wait this much longer than a round trip (ms), and a quarter of one, means the queue was empty. */
const WAIT_MARGIN_MS = 0.5;
const MAX_SKIPS_IN_A_ROW = 32;

export class TrickleDetector {
  private readonly roundTrips: number[] = [];
  private skipsInARow = 0;

  /** A fetch.lua call took `ms`. */
  recordFetch(ms: number): void {
    if (this.roundTrips.length === ROUND_TRIPS_KEPT) this.roundTrips.shift();
    this.roundTrips.push(ms);
    this.skipsInARow = 0;
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
