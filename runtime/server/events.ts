/**
 * Typed runtime events. They are what the CLI logs and what tests await (never a sleep and a hope).
 */
import { EventEmitter } from 'node:events';

export interface JobEvent {
  readonly jid: string;
  readonly className: string;
  readonly queue: string;
}

export interface RuntimeEventMap {
  'job:start': JobEvent;
  'job:done': JobEvent & { readonly elapsedMs: number };
  'job:failed': JobEvent & { readonly elapsedMs: number; readonly error: unknown };
  /** A payload that cannot be performed at all; it went to the dead set. */
  'job:unperformable': { readonly raw: string; readonly queue: string; readonly reason: string };
  /** Every queue was empty on the last fetch. */
  'fetch:idle': undefined;
  /** Jobs found in this process's in-progress lists that it had lost track of (a reply lost in an outage). */
  'fetch:adopted': { readonly count: number };
  /** The watchdog found the fetch loop stuck while Redis was connected, and reconnected it. */
  'fetch:reconnected': { readonly stalledMs: number };
  /** Outcomes were written to Redis. */
  'complete:flushed': { readonly count: number };
  'shutdown:requeued': { readonly count: number };
  /** A heartbeat was written. */
  heartbeat: { readonly busy: number };
}

export class RuntimeEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  on<E extends keyof RuntimeEventMap>(event: E, listener: (payload: RuntimeEventMap[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** Whether anyone listens: callers skip building a payload nobody reads. */
  has(event: keyof RuntimeEventMap): boolean {
    return this.emitter.listenerCount(event) > 0;
  }

  emit<E extends keyof RuntimeEventMap>(event: E, payload: RuntimeEventMap[E]): void {
    if (this.emitter.listenerCount(event) > 0) this.emitter.emit(event, payload);
  }

  /** Resolves with the next event that passes `matches`. */
  next<E extends keyof RuntimeEventMap>(
    event: E,
    matches: (payload: RuntimeEventMap[E]) => boolean = () => true,
  ): Promise<RuntimeEventMap[E]> {
    return new Promise((resolve) => {
      const off = this.on(event, (payload) => {
        if (!matches(payload)) return;
        off();
        resolve(payload);
      });
    });
  }
}
