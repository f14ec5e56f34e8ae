/**
 * An ordered list of middleware (or handlers), managed like Sidekiq's `Middleware::Chain`: `add` appends,
 * `prepend` puts first, `insertBefore`/`insertAfter` place next to another entry, `remove` takes out. An entry
 * is named by itself or by its class, so `remove(MetricsMiddleware)` removes the instance that was added. Adding
 * an entry that is already there moves it, as Sidekiq does, so an entry never runs twice.
 */

/** An entry itself, or the class its instance was made from. */
export type EntryRef<T> = T | (abstract new (...args: any[]) => T);

export class MiddlewareChain<T extends object> {
  private list: T[] = [];

  /** The entries in the order they run. A new array whenever the chain changes, so a running loop is safe. */
  get entries(): readonly T[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  /** Appends `entry` (moving it when already present); returns a function that removes it. */
  add(entry: T): () => void {
    this.list = [...this.without(entry), entry];
    return () => this.remove(entry);
  }

  /** Puts `entry` first. */
  prepend(entry: T): () => void {
    this.list = [entry, ...this.without(entry)];
    return () => this.remove(entry);
  }

  /** Puts `entry` just before `existing`; at the start when `existing` is absent, as Sidekiq's `insert_before`. */
  insertBefore(existing: EntryRef<T>, entry: T): () => void {
    const rest = this.without(entry);
    const index = rest.findIndex((candidate) => matches(candidate, existing));
    rest.splice(Math.max(0, index), 0, entry);
    this.list = rest;
    return () => this.remove(entry);
  }

  /** Puts `entry` just after `existing`; at the end when `existing` is absent, as Sidekiq's `insert_after`. */
  insertAfter(existing: EntryRef<T>, entry: T): () => void {
    const rest = this.without(entry);
    const index = rest.findIndex((candidate) => matches(candidate, existing));
    rest.splice(index < 0 ? rest.length : index + 1, 0, entry);
    this.list = rest;
    return () => this.remove(entry);
  }

  /** Removes `entry`, or every instance of the class given; returns whether anything was removed. */
  remove(entry: EntryRef<T>): boolean {
    const before = this.list.length;
    this.list = this.without(entry);
    return this.list.length !== before;
  }

  has(entry: EntryRef<T>): boolean {
    return this.list.some((candidate) => matches(candidate, entry));
  }

  clear(): void {
    this.list = [];
  }

  private without(entry: EntryRef<T>): T[] {
    return this.list.filter((candidate) => !matches(candidate, entry));
  }
}

function matches<T extends object>(candidate: T, ref: EntryRef<T>): boolean {
  if (candidate === ref) return true;
  // A class: its instances match; a plain function middleware is never an instance of another function here.
  return (
    typeof ref === 'function' &&
    typeof candidate !== 'function' &&
    ref.prototype !== undefined &&
    candidate instanceof (ref as abstract new (...args: any[]) => T)
  );
}

/**
 * Runs `entries` around `last`: each is called with a `next` that runs the rest; one that returns without calling
 * `next` stops there. Resolves to whether `last` ran. Plain promises rather than async functions: one job pays a
 * few allocations per entry, not an extra await per level.
 */
export function runChain<T>(
  entries: readonly T[],
  call: (entry: T, next: () => Promise<void>) => unknown,
  last: () => unknown,
): Promise<boolean> {
  let reached = false;
  const step = (index: number): Promise<unknown> => {
    try {
      if (index === entries.length) {
        reached = true;
        return Promise.resolve(last());
      }
      let running: Promise<void> | undefined;
      let settled = false;
      // A middleware that calls next twice gets the same run back, so the job is never pushed or performed twice.
      const next = () => {
        running ??= step(index + 1)
          .then(noop)
          .finally(() => {
            settled = true;
          });
        return running;
      };
      // One that returned before the rest of the chain settled (it called next without awaiting it) waits for it,
      // so the job is not done before perform is, and its error stays the job's error.
      return Promise.resolve(call(entries[index]!, next)).then(() => (settled ? undefined : running));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return step(0).then(() => reached);
}

function noop(): void {}
