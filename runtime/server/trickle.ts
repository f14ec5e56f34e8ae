/**
 * Tells a job that trickled into an idle process from one a backlog handed over, by how long the blocking fetch
 * that brought it took: a BLMOVE that found a job waiting answers within about a round trip (the fastest of the
 * last fetch.lua calls), one that waited for the push answers later. After a trickling job the queues were empty,
 * so the fetcher blocks again instead of asking fetch.lua for more (fetcher.ts step 2), and the completer may hold
 * its outcome for company (completer.ts step 6).
 * A busy machine's jitter can make a backlog look like a trickle: the fetch is skipped at most MAX_SKIPS_IN_A_ROW
 * times in a row, so a backlog is never taken one job per round trip for long.
 * Across a network (the fastest recent round trip NETWORK_ROUND_TRIP_MS or more) the delay cannot tell them apart:
 * pushes a round trip or two apart, a trickle, come back as late as a job found waiting. There the fetcher asks the
 * queue's length right behind its BLMOVE instead, one cheap command that says it exactly.
 */

/** fetch.lua round trips remembered; the fastest stands for the network's. */
const ROUND_TRIPS_KEPT = 8;
/** A wait this much longer than a round trip (ms), and a quarter of one, means the queue was empty. */
const WAIT_MARGIN_MS = 0.5;
const MAX_SKIPS_IN_A_ROW = 32;
/**
 * The fastest recent round trip (ms) from which Redis counts as across a network: loopback's is about 0.1–0.3 ms,
 * a process's first (its scripts loaded, nothing compiled yet) up to 2. The fetch every MAX_SKIPS_IN_A_ROW-th job
 * keeps the round trips fresh, so a slow start does not count for long.
 */
const NETWORK_ROUND_TRIP_MS = 1;

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

  /** Whether a reply's delay is too unsure a sign here: the queue's length is asked for instead. */
  acrossNetwork(): boolean {
    const roundTrip = this.fastestRoundTrip();
    return roundTrip !== undefined && roundTrip >= NETWORK_ROUND_TRIP_MS;
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
