/**
 * Typed runtime events, as graphile-worker's and River's: what a host that embeds the runtime listens to
 * (`sidepunch/embed`) and what the in-process tests await instead of polling. The log lines sidepunch-run writes
 * do not come from here; each actor logs directly. Emitting costs nothing while no one listens.
 */
import { EventEmitter } from 'node:events';

export interface JobEvent {
  readonly jid: string;
  readonly className: string;
  readonly queue: string;
}

export type JobDoneEvent = JobEvent & { readonly elapsedMs: number };
export type JobFailedEvent = JobEvent & { readonly elapsedMs: number; readonly error: unknown };

/** A payload that cannot be performed at all; it goes to the dead set. */
export interface JobUnperformableEvent {
  readonly raw: string;
  readonly queue: string;
  readonly reason: string;
}

/** Outcomes Redis now holds: acknowledgements, retries, dead-set entries and their counters. */
export interface CompleteFlushedEvent {
  readonly count: number;
  /** The jids of the jobs written (a payload that is not a job object with a jid has none). */
  readonly jids: readonly string[];
}

/** The watchdog found the fetch loop stuck while Redis was connected, and reconnected it. */
export interface FetchReconnectedEvent {
  readonly stalledMs: number;
}

/** A periodic entry's tick was claimed by this process and its job pushed. */
export interface PeriodicEnqueuedEvent {
  readonly name: string;
  /** The tick, epoch seconds. */
  readonly tick: number;
  readonly jid: string;
  readonly className: string;
}

export interface RuntimeEventMap {
  /** `perform` is about to run. */
  'job:start': JobEvent;
  /** `perform` returned (or a server middleware skipped it); its acknowledgement is written next. */
  'job:done': JobDoneEvent;
  /** `perform` threw; its retry or death is written next. */
  'job:failed': JobFailedEvent;
  'job:unperformable': JobUnperformableEvent;
  'complete:flushed': CompleteFlushedEvent;
  /** Every queue was empty on the last fetch. */
  'fetch:idle': undefined;
  'fetch:reconnected': FetchReconnectedEvent;
  'periodic:enqueued': PeriodicEnqueuedEvent;
}

/** The listening half of RuntimeEvents: what an embedding host is given. */
export type RuntimeEventSource = Pick<RuntimeEvents, 'on' | 'next'>;

/** Told when a listener throws; the runtime carries on with the job as if no one had listened. */
export type ListenerErrorHandler = (event: keyof RuntimeEventMap, error: unknown) => void;

export class RuntimeEvents {
  private readonly emitter = new EventEmitter();

  constructor(private readonly onListenerError: ListenerErrorHandler = () => {}) {
    this.emitter.setMaxListeners(0);
  }

  /** Calls `listener` on every `event`; returns the function that stops it. */
  on<E extends keyof RuntimeEventMap>(event: E, listener: (payload: RuntimeEventMap[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** Whether anyone listens: callers skip building a payload nobody reads. */
  has(event: keyof RuntimeEventMap): boolean {
    return this.emitter.listenerCount(event) > 0;
  }

  /** Calls each listener in turn; one that throws is reported and never reaches the job that emitted. */
  emit<E extends keyof RuntimeEventMap>(event: E, payload: RuntimeEventMap[E]): void {
    if (this.emitter.listenerCount(event) === 0) return;
    for (const listener of this.emitter.listeners(event)) {
      try {
        listener(payload);
      } catch (error) {
        this.onListenerError(event, error);
      }
    }
  }

  /** Resolves with the next event that passes `matches`; call it before what causes the event. */
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
