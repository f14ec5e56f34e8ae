/**
 * The OS process behind a runtime, recorded beside its heartbeat, so that a process on the same host can tell at
 * once that it is gone instead of waiting for its heartbeat to expire (a worker restarted after `kill -9`).
 *  1. recorded: hostname, pid, the boot id, the pid namespace and the process's start time (Linux /proc);
 *  2. a recorded process is gone when it ran on this host, in this boot and in this pid namespace, and its pid is
 *     free (kill(pid, 0) fails with ESRCH), a zombie, or taken by a process that started at another time;
 *  3. anything else proves nothing — another host, another pid namespace (a container sharing the hostname, where
 *     ESRCH says nothing), EPERM (alive, another user's), no /proc — and the heartbeat's expiry decides, as before.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { procStatFields } from '../core/proc-stat.js';

export interface HostProcess {
  readonly hostname: string;
  readonly pid: number;
  readonly bootId: string;
  /** `pid:[inode]`: pids mean the same process only within one namespace. */
  readonly pidNamespace: string;
  /** Clock ticks after boot at which the process started: tells a reused pid from the recorded process. */
  readonly startTicks: number;
}

/** The process hash's field that holds the record (Sidekiq's readers ignore it). */
export const HOST_PROCESS_FIELD = 'sidepunch_process';

let own: HostProcess | null | undefined;

/** This process, or undefined where /proc does not tell (not Linux). */
export function thisHostProcess(): HostProcess | undefined {
  if (own === undefined) own = readOwn() ?? null;
  return own ?? undefined;
}

/** Whether the recorded process is provably no longer running; false whenever it cannot be told from here. */
export function isGone(recorded: HostProcess): boolean {
  const here = thisHostProcess();
  if (
    !here ||
    recorded.hostname !== here.hostname ||
    recorded.bootId !== here.bootId ||
    recorded.pidNamespace !== here.pidNamespace
  )
    return false;
  // Our own pid: a sibling thread of this process (alive), or a predecessor whose pid we were given.
  if (recorded.pid === here.pid) return recorded.startTicks !== here.startTicks;
  try {
    process.kill(recorded.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const now = procStat(recorded.pid);
  if (!now) return false;
  return now.state === 'Z' || now.state === 'X' || now.startTicks !== recorded.startTicks;
}

/** The recorded JSON, or undefined when it is not a complete record. */
export function parseHostProcess(json: string): HostProcess | undefined {
  try {
    const value = JSON.parse(json);
    const complete =
      typeof value?.hostname === 'string' &&
      Number.isSafeInteger(value.pid) &&
      typeof value.bootId === 'string' &&
      typeof value.pidNamespace === 'string' &&
      Number.isSafeInteger(value.startTicks);
    return complete ? value : undefined;
  } catch {
    return undefined;
  }
}

function readOwn(): HostProcess | undefined {
  try {
    const stat = procStat(process.pid);
    if (!stat) return undefined;
    return {
      hostname: hostname(),
      pid: process.pid,
      bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
      pidNamespace: readlinkSync('/proc/self/ns/pid'),
      startTicks: stat.startTicks,
    };
  } catch {
    return undefined;
  }
}

function procStat(pid: number): { state: string; startTicks: number } | undefined {
  const fields = procStatFields(pid);
  const startTicks = Number(fields?.[19]); // field 22
  return fields && Number.isSafeInteger(startTicks) ? { state: fields[0] ?? '', startTicks } : undefined;
}
