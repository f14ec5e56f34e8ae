/**
 * A job taken from a queue: the string read, and the exact bytes when that string is not them (so removal matches
 * byte for byte), where it came from, and the in-progress list that holds it until its outcome is written.
 */
export class UnitOfWork {
  constructor(
    readonly raw: string,
    readonly queue: string,
    readonly inProgressKey: string,
    /**
     * Only for a payload that is not valid UTF-8: its bytes, which `raw` (their decoding, with U+FFFD) does not
     * match (see exact-bytes.ts).
     */
    readonly exactBytes?: Buffer,
  ) {}

  /** Brought alone by a blocking fetch: it came into a (nearly) idle process (completer.ts step 6). */
  fromBlockingFetch = false;

  /** The payload as Redis holds it: what its acknowledgement removes and what the dead set keeps. */
  get stored(): string | Buffer {
    return this.exactBytes ?? this.raw;
  }
}

/**
 * The payloads this process holds (buffered, running, or waiting for their outcome to be written), gathered from
 * the actors that hold them only when asked — after a reconnect — so the hot path pays nothing for it. Anything else
 * in this process's in-progress lists was lost track of and must be adopted.
 */
export class HeldJobs {
  private readonly sources: (() => Iterable<UnitOfWork>)[] = [];

  addSource(source: () => Iterable<UnitOfWork>): void {
    this.sources.push(source);
  }

  *units(): Generator<UnitOfWork> {
    for (const source of this.sources) yield* source();
  }

  /** How many payloads are held. */
  count(): number {
    let count = 0;
    for (const _ of this.units()) count++;
    return count;
  }

  /** The entries of `listed` not accounted for by what is held (duplicates counted). */
  untracked(listed: readonly string[]): string[] {
    const remaining = new Map<string, number>();
    for (const unit of this.units()) remaining.set(unit.raw, (remaining.get(unit.raw) ?? 0) + 1);
    const extra: string[] = [];
    for (const raw of listed) {
      const count = remaining.get(raw) ?? 0;
      if (count > 0) remaining.set(raw, count - 1);
      else extra.push(raw);
    }
    return extra;
  }
}
