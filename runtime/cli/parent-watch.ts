/**
 * Stops the process gracefully, as a SIGTERM would, when whatever started it goes away without passing a signal on,
 * instead of working on as an orphan:
 *  1. a `--processes` child: its supervisor's IPC channel closes (the supervisor was SIGKILLed);
 *  2. started by npm (`npm run`, `npx sidepunch-run`): npm exits on SIGTERM without passing it to the script, and
 *     the shell between them waits on, so the process watches npm and that shell, and stops once npm is gone.
 * Started any other way (a shell, systemd, a container's CMD, nohup), the process is left alone: its parent may go
 * away on purpose.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from '../core/logger.js';
import { procStatFields } from '../core/proc-stat.js';

const POLL_MS = 500;
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ash', 'busybox']);

export function stopWhenOrphaned(logger: Logger, env: NodeJS.ProcessEnv = process.env): void {
  if (process.channel) {
    // The channel must not keep the process alive, only tell when the supervisor is gone.
    process.channel.unref();
    process.once('disconnect', () => stopAsOnSigterm(logger, 'the --processes supervisor is gone'));
    return;
  }
  if (!env.npm_lifecycle_event) return;
  const watched = npmAncestry();
  const timer = setInterval(() => {
    const gone = watched.find(({ pid, parent }) => parentOf(pid) !== parent);
    if (!gone) return;
    clearInterval(timer);
    stopAsOnSigterm(logger, `npm, which started this process, is gone (pid ${watched.at(-1)!.parent})`);
  }, POLL_MS);
  timer.unref();
}

/**
 * This process and, when npm ran it through a shell, that shell, each with the parent it has now: once npm exits,
 * the next one up is adopted by another process.
 */
function npmAncestry(): { pid: number; parent: number | undefined }[] {
  const watched = [{ pid: process.pid, parent: parentOf(process.pid) }];
  const parent = process.ppid;
  if (SHELLS.has(commandOf(parent) ?? '')) watched.push({ pid: parent, parent: parentOf(parent) });
  return watched;
}

/** The parent's pid; for another process, read from /proc (Linux), undefined where there is none. */
function parentOf(pid: number): number | undefined {
  if (pid === process.pid) return process.ppid;
  const ppid = Number(procStatFields(pid)?.[1]); // field 4
  return Number.isSafeInteger(ppid) ? ppid : undefined;
}

function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Whatever this process does on SIGTERM (a graceful stop once running; before that, Node's default). */
function stopAsOnSigterm(logger: Logger, why: string): void {
  logger.warn(`${why}: stopping as on SIGTERM`);
  process.kill(process.pid, 'SIGTERM');
}
