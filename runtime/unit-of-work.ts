/**
 * A job taken from a queue: the exact string read (so removal matches byte for byte), where it came from,
 * and the in-progress list that holds it until its outcome is written.
 */
export class UnitOfWork {
  constructor(
    readonly raw: string,
    readonly queue: string,
    readonly inProgressKey: string,
  ) {}
}

/**
 * The payloads this process holds (running, waiting for a slot, or waiting for their outcome to be written),
 * counted by exact string. Anything else in its in-progress lists was lost track of and must be adopted.
 */
export class HeldJobs {
  private readonly counts = new Map<string, number>();

  add(raw: string): void {
    this.counts.set(raw, (this.counts.get(raw) ?? 0) + 1);
  }

  release(raw: string): void {
    const count = this.counts.get(raw) ?? 0;
    if (count <= 1) this.counts.delete(raw);
    else this.counts.set(raw, count - 1);
  }

  /** The entries of `listed` not accounted for by what is held (duplicates counted). */
  untracked(listed: readonly string[]): string[] {
    const remaining = new Map(this.counts);
    const extra: string[] = [];
    for (const raw of listed) {
      const count = remaining.get(raw) ?? 0;
      if (count > 0) remaining.set(raw, count - 1);
      else extra.push(raw);
    }
    return extra;
  }

  get size(): number {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }
}
