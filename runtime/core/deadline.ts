/**
 * A moment that several steps share, for work that may never finish: runtime connections wait for Redis for ever
 * (maxRetriesPerRequest: null), so at shutdown each step waits for its command or for the deadline, whichever
 * comes first, and what is not done by then is reported instead of awaited.
 */
export type Settled<T> =
  | { readonly done: true; readonly value: T }
  | { readonly done: false; readonly error?: unknown };

export class Deadline {
  private readonly at: number;

  constructor(ms: number) {
    this.at = performance.now() + ms;
  }

  msLeft(): number {
    return Math.max(0, this.at - performance.now());
  }

  /** The work's value, or `done: false` with its error, or without one once the deadline passed first. */
  async race<T>(work: Promise<T> | T): Promise<Settled<T>> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<Settled<T>>((resolve) => {
      timer = setTimeout(() => resolve({ done: false }), this.msLeft());
    });
    const settled = Promise.resolve(work).then(
      (value): Settled<T> => ({ done: true, value }),
      (error: unknown): Settled<T> => ({ done: false, error }),
    );
    try {
      return await Promise.race([settled, expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
