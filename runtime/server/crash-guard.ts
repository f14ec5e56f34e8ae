/**
 * CrashGuard: what sidepunch-run (and each --threads worker thread) does with an error that escaped every await —
 * Node's 'uncaughtException' and 'unhandledRejection' — instead of dying at once with its jobs stranded until
 * their heartbeat expires and its buffered log lines lost.
 *  1. raised by a running job's code (its timer, callback, event or promise; see job-context.ts): that job fails
 *     with the error and is retried like any failure; the process and the jobs beside it go on;
 *  2. raised by the leftovers of a job that has already finished: logged with its class and jid, nothing else;
 *  3. raised where no job can be blamed: logged with its stack, then the launcher is abandoned (no new jobs, the
 *     running ones not waited for, every job held back to the front of its queue at once), the log is flushed and
 *     the process (or thread) exits 1 — after ABANDON_DEADLINE_MS it exits 1 whatever is still pending.
 */

import type { Logger } from '../core/logger.js';
import { describeError, stackLines } from '../core/thrown-value.js';
import { currentJob } from './job-context.js';

const ABANDON_DEADLINE_MS = 5000;

export interface CrashGuard {
  /** An error no job could be blamed for was seen: the process is going down and must not exit 0. */
  readonly crashed: boolean;
}

export function installCrashGuard(
  logger: Logger,
  abandon: () => Promise<unknown>,
  exit: (code: number) => void,
): CrashGuard {
  const guard = { crashed: false };
  const onError = (error: unknown, what: string) => {
    const job = currentJob();
    if (job) {
      const context = { class: job.className, jid: job.jid };
      if (job.fail(error)) logger.warn(`${what} from this job's timers or callbacks: the job fails`, context);
      else
        logger.error(
          `${what} from a job that already finished (logged only): ${describeError(error)}`,
          context,
        );
      return;
    }
    logger.error(`${what} outside any job: ${describeError(error)}`, { stack: stackLines(error) });
    if (guard.crashed) return;
    guard.crashed = true;
    logger.error('giving every job this process holds back to its queue, then exiting with 1');
    const deadline = setTimeout(() => {
      logger.error(`jobs not all given back within ${ABANDON_DEADLINE_MS} ms; exiting with 1`);
      logger.flush();
      exit(1);
    }, ABANDON_DEADLINE_MS);
    abandon()
      .catch((abandonError) => logger.error(`could not give the jobs back: ${describeError(abandonError)}`))
      .finally(() => {
        clearTimeout(deadline);
        logger.flush();
        exit(1);
      });
  };
  process.on('uncaughtException', (error) => onError(error, 'uncaught exception'));
  process.on('unhandledRejection', (reason) => onError(reason, 'unhandled rejection'));
  return guard;
}
