#!/bin/sh
//usr/bin/env true; exec node --max-semi-space-size=4 --no-parallel-scavenge "$0" "$@"
// Line 2 is for the shell of line 1 and a comment to JavaScript: its first command must start with //, so it is a
// path that does nothing (/usr/bin/env true); then the shell replaces itself with Node and the V8 flags, same pid,
// so signals reach Node directly. `#!/usr/bin/env -S node …` needed an env with -S, which BusyBox's (Alpine,
// node:alpine images) is not.
// --max-semi-space-size=4 caps the young generation's semi-spaces at 4 MB (V8's default lets them grow to 16 MB
// while jobs stream through): about 25 MB less peak RSS while draining, at the same throughput. With
// --no-parallel-scavenge a young-generation collection runs on the thread that needs it instead of waking helper
// threads that compete for the cores with the other workers and Redis: 5-6% faster drains (docs/benchmarks.md).
// Threads get the same cap through runtime/server/supervise/thread-pool.ts (and share the process's flags);
// --processes children inherit both flags from execArgv.
import { catchSignals } from '../dist/runtime/server/supervise/process-signals.js';

// TSTP and TTIN would freeze the process while the runtime's modules load (seconds on a busy machine): caught
// before them (not for `check`, a one-off command that Ctrl-Z may suspend).
if (process.argv[2] !== 'check') catchSignals();
const { main } = await import('../dist/runtime/cli/run.js');

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`sidepunch-run: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
