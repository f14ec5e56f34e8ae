#!/usr/bin/env node
// sidepunch-gen: typed stubs and a registry from the workers in a TypeScript project (see --help).
import { main } from '../dist/compiler/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`sidepunch-gen: internal error: ${error?.stack ?? error}\n`);
    process.exitCode = 70;
  },
);
