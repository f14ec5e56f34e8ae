/**
 * Keeps stdout in the order things happened. A LineLogger holds its lines until the end of the event loop's turn
 * (one write per turn, not one per line: docs/benchmarks.md), so a job's own `console.log` would reach stdout
 * before the job's `start` line. So the first time a logger holds lines for stdout or stderr, both streams' `write`
 * is wrapped: any other write first writes what loggers hold. Nothing more happens while only loggers write;
 * stderr is included so that `2>&1` keeps the order too. Writes that bypass the streams (`fs.writeSync(1, …)`)
 * are not seen. In a worker thread, `process.stdout` is the thread's own stream, wrapped the same way. One set of
 * holders and one wrap per process, whichever copy of sidepunch (ES module or CommonJS) logs (core/process-wide.ts).
 */
import { processWide } from './process-wide.js';

export interface HeldLines {
  /** Writes what it holds, and calls `released(this)` before it writes. */
  flush(): void;
}

const state = processWide('stdioOrder', () => ({ holders: new Set<HeldLines>(), wrapped: false }));
const holders = state.holders;

/** Whether lines for `sink` must keep their place among the process's other writes to stdout and stderr. */
export function isStdio(sink: unknown): boolean {
  return sink === process.stdout || sink === process.stderr;
}

/** `holder` now holds lines for stdout or stderr: they are written before anything else is. */
export function holding(holder: HeldLines): void {
  holders.add(holder);
  if (!state.wrapped) wrapStdio();
}

export function released(holder: HeldLines): void {
  holders.delete(holder);
}

function wrapStdio(): void {
  state.wrapped = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((...args: Parameters<typeof write>) => {
      // Each holder releases itself before writing, so its own write passes straight through.
      if (holders.size > 0) for (const holder of holders) holder.flush();
      return write(...args);
    }) as typeof stream.write;
  }
}
