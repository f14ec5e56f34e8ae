#!/usr/bin/env -S node --max-semi-space-size=4
// The V8 flag caps the young generation's semi-spaces at 4 MB (V8's default lets them grow to 16 MB while jobs
// stream through): about 25 MB less peak RSS while draining, at the same throughput (docs/benchmarks.md).
// Threads get the same cap through runtime/server/supervise/thread-pool.ts; --processes children inherit it from execArgv.
import { main } from '../dist/runtime/cli/run.js';

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`sidepunch-run: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
