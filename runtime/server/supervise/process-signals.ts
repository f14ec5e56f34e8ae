/**
 * TTIN, caught from sidepunch-run's first moment: Node's default action for it stops (freezes) the process, whose
 * heartbeat then expires while it holds jobs, so another process rescues them and they run twice.
 *  1. catchSignals() installs the handler before the registry loads; a `--processes` child then tells its
 *     supervisor, which forwards these signals to it only from then on;
 *  2. TTIN, as Sidekiq's: whatever runs here (a launcher, or a supervisor asking its threads or children) logs what
 *     every running job is doing, once it has said how (onTtin); before that, no job runs.
 */
import { tellSupervisor } from './swarm-messages.js';

let dump = (): void => {};

export function catchSignals(): void {
  process.on('SIGTTIN', () => dump());
  tellSupervisor({ type: 'signals-caught' });
}

export function onTtin(handler: () => void): void {
  dump = handler;
}
