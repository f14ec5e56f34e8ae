/**
 * The three commands a user types meet one convention (runtime/cli/usage.ts), proven on the built bin scripts
 * (`npm run build` first): -V and --version print `<command> <version>`, -h and --help the usage with the same
 * common flags, and a bad flag is the same one line on stderr and exit 2.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/runtime-process.js';

const COMMANDS = ['sidepunch-gen', 'sidepunch-run', 'sidepunch-web'] as const;
/** A flag each command takes with a value. */
const VALUE_FLAG = {
  'sidepunch-gen': '--out',
  'sidepunch-run': '--redis',
  'sidepunch-web': '--redis',
} as const;
const { version } = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { version: string };

function run(command: string, ...args: string[]) {
  return spawnSync(process.execPath, [`${REPO_ROOT}bin/${command}.js`, ...args], {
    encoding: 'utf8',
    env: { ...process.env, REDIS_URL: '' },
  });
}

describe.each(COMMANDS)('%s', (command) => {
  it('-V and --version print "<command> <version>" and exit 0', () => {
    for (const flag of ['-V', '--version']) {
      const result = run(command, flag);
      expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
        status: 0,
        stdout: `${command} ${version}\n`,
        stderr: '',
      });
    }
  });

  it('-h and --help print the usage with -v/--verbose, -h/--help and -V/--version', () => {
    const long = run(command, '--help');
    expect(long.status).toBe(0);
    expect(run(command, '-h').stdout).toBe(long.stdout);
    expect(long.stdout).toMatch(new RegExp(`^Usage: ${command} \\[options\\]`));
    expect(long.stdout).toMatch(/^ {2}-v, --verbose {2,}\S/m);
    expect(long.stdout).toMatch(/^ {2}-h, --help {2,}show this help$/m);
    expect(long.stdout).toMatch(/^ {2}-V, --version {2,}show the version$/m);
  });

  it('a bad flag is one line on stderr, in the same words as the other commands, and exit 2', () => {
    const value = VALUE_FLAG[command];
    const cases: [string[], string][] = [
      [['--no-such-flag'], 'unknown flag --no-such-flag'],
      [['-Z'], 'unknown flag -Z'],
      [[value], `flag ${value} needs a value`],
      [['--help=yes'], 'flag --help takes no value'],
    ];
    for (const [args, message] of cases) {
      const result = run(command, ...args);
      expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }, args.join(' ')).toEqual(
        {
          status: 2,
          stdout: '',
          stderr: `${command}: ${message} (see --help)\n`,
        },
      );
    }
  });
});
