#!/usr/bin/env node
import { main } from '../dist/runtime/cli/web.js';

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`sidepunch-web: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
