/** What a `--processes` child tells its supervisor over their IPC channel (swarm.ts). */
export type FromChild =
  /** Its TSTP and TTIN handlers are in place: from now on those signals cannot freeze it. */
  | { type: 'signals-caught' }
  /** It stops on purpose (a signal of its own, or the Web UI's Stop): it is not to be restarted. */
  | { type: 'stopping' }
  /** It cannot start (configureServer threw, its metrics port is taken, …): a restart would fail the same way. */
  | { type: 'failed-to-start' };

/** A no-op outside a swarm. */
export function tellSupervisor(message: FromChild): void {
  if (process.connected) process.send?.(message);
}
