/**
 * Alone means alone in the OS process: a crash (SIGKILL, an OOM kill) ends every thread of `--threads` at once,
 * so a suspect that ran beside another thread's jobs would be blamed for their crash.
 *  1. one Int32Array over a SharedArrayBuffer per process: [holder, jobs running in thread 0, in thread 1, …];
 *  2. a thread takes the gate (holder = its index + 1) before running a suspect, then waits until no other
 *     thread runs a job; while it holds the gate, the other threads start nothing (their buffered jobs wait);
 *  3. starting a job counts it first and looks at the gate second (the holder sets the gate first and counts
 *     second), so the two can never both go ahead;
 *  4. the pool releases the gate and the count of a thread that died (releaseThread).
 * Without --threads, the process has one thread and the gate never makes anyone wait.
 */

const HOLDER = 0;
const POLL_MS = 20;

export class AloneGate {
  private readonly slots: Int32Array;
  private readonly me: number;

  /** `shared` from AloneGate.shared(threads), the same for every thread of the process; `index` is this thread's. */
  constructor(shared: SharedArrayBuffer = AloneGate.shared(1), index = 0) {
    this.slots = new Int32Array(shared);
    this.me = index + 1;
  }

  static shared(threads: number): SharedArrayBuffer {
    return new SharedArrayBuffer((threads + 1) * Int32Array.BYTES_PER_ELEMENT);
  }

  /** A thread of the pool died: whatever it held or ran is gone with it. */
  static releaseThread(shared: SharedArrayBuffer, index: number): void {
    const slots = new Int32Array(shared);
    Atomics.store(slots, index + 1, 0);
    Atomics.compareExchange(slots, HOLDER, index + 1, 0);
  }

  /** Counts a job as running in this thread, unless another thread holds the gate. */
  tryStart(): boolean {
    Atomics.add(this.slots, this.me, 1);
    const holder = Atomics.load(this.slots, HOLDER);
    if (holder === 0 || holder === this.me) return true;
    Atomics.sub(this.slots, this.me, 1);
    return false;
  }

  finished(): void {
    Atomics.sub(this.slots, this.me, 1);
  }

  /** Resolves once no other thread holds the gate. */
  async opened(): Promise<void> {
    while (!this.isOpenToMe()) await pause();
  }

  /** Takes the gate, then waits until no other thread runs a job (this thread's own are the caller's to wait for). */
  async take(): Promise<void> {
    while (Atomics.compareExchange(this.slots, HOLDER, 0, this.me) !== 0) await pause();
    while (this.othersRunning() > 0) await pause();
  }

  release(): void {
    Atomics.compareExchange(this.slots, HOLDER, this.me, 0);
  }

  private isOpenToMe(): boolean {
    const holder = Atomics.load(this.slots, HOLDER);
    return holder === 0 || holder === this.me;
  }

  private othersRunning(): number {
    let running = 0;
    for (let slot = 1; slot < this.slots.length; slot++)
      if (slot !== this.me) running += Atomics.load(this.slots, slot);
    return running;
  }
}

function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, POLL_MS));
}
