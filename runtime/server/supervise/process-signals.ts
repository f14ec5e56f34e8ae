/**
 * TSTP and TTIN, caught from sidepunch-run's first moment: Node's default action for either stops (freezes) the
 * process, whose heartbeat then expires while it holds jobs, so another process rescues them and they run twice.
 *  1. catchSignals() installs the handlers before the runtime's own modules load (the bin calls it first, then
 *     main() again: once is enough); a `--processes` child then tells its supervisor, which forwards these signals
 *     to it only from then on;
 *  2. TSTP (quiet) that comes before the launcher or supervisor says what it does (onTstp) is remembered, as is a
 *     supervisor's word that it is quiet (SIDEPUNCH_START_QUIET, for a child it restarts): it starts quiet;
 *  3. TTIN, as Sidekiq's: whatever runs here (a launcher, or a supervisor asking its threads or children) logs what
 *     every running job is doing, once it has said how (onTtin); before that, no job runs.
 */
import { tellSupervisor } from './swarm-messages.js';

/** Set by a `--processes` supervisor that is quiet, for the children it starts. */
export const START_QUIET_ENV = 'SIDEPUNCH_START_QUIET';

let quiet: (() => void) | undefined;
let quietEarly = false;
let dump = (): void => {};
let caught = false;

export function catchSignals(): void {
  if (caught) return;
  caught = true;
  process.on('SIGTSTP', () => {
    if (quiet) quiet();
    else quietEarly = true;
  });
  process.on('SIGTTIN', () => dump());
  tellSupervisor({ type: 'signals-caught' });
}

/** From now on TSTP calls `handler`; true when this process is to start quiet (step 2). */
export function onTstp(handler: () => void): boolean {
  quiet = handler;
  return quietEarly || process.env[START_QUIET_ENV] === '1';
}

export function onTtin(handler: () => void): void {
  dump = handler;
}
