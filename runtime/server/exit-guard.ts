/**
 * Exit guard: a job that ends the process itself (`process.exit(0)`, or `process.exit()`) must not look like a clean
 * stop to a restart-on-failure supervisor. sidepunch-run leaves only through exitProcess(); any other exit with code
 * 0 becomes exit code 1, with one line on stderr that names the job when the exit came from a job's code. Whatever
 * the exit, the log's buffered lines are written first.
 */

import { escapeControls } from '../core/log-lines.js';
import type { Logger } from '../core/logger.js';
import { currentJob } from './job-context.js';

let runtimeExit = false;

/** sidepunch-run's own way out. */
export function exitProcess(code: number): never {
  runtimeExit = true;
  process.exit(code);
}

export function guardExit(logger: Logger): void {
  process.on('exit', (code) => {
    logger.flush();
    if (runtimeExit) return;
    const job = currentJob();
    // A non-zero exit already tells the supervisor; name the job when one did it.
    if (code !== 0 && !job) return;
    if (code === 0) process.exitCode = 1;
    // The class and jid come from the payload: escaped as the logger escapes them, so they cannot forge a line.
    const who = job
      ? `job ${escapeControls(job.className)} jid=${escapeControls(job.jid)} ended the process with exit code ${code} (process.exit)`
      : `the process ended with exit code ${code} (process.exit in a job or a library, or nothing left to run)`;
    process.stderr.write(
      `sidepunch-run: ${who}, not sidepunch-run's shutdown: exiting with ${process.exitCode}; ` +
        'its running jobs are rescued by the next worker started on this host, or once its heartbeat expires\n',
    );
  });
}
