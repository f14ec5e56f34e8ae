#!/usr/bin/env node
import { main } from '../dist/runtime/cli/run.js';

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`sidepunch-run: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
