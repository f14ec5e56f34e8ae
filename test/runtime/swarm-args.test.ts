import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../runtime/cli/run.js';
import { childArgs } from '../../runtime/server/supervise/swarm.js';

describe('the swarm supervisor', () => {
  it('gives its children the same flags without --processes', () => {
    expect(childArgs(['--processes', '3', '-c', '5', 'reg.js'])).toEqual(['-c', '5', 'reg.js']);
    expect(childArgs(['-q', 'a', '--processes=2', 'reg.js'])).toEqual(['-q', 'a', 'reg.js']);
  });

  it('serves the dashboard from the supervisor only: children get no --web nor --web-host', () => {
    const argv = ['--processes', '2', '--web', '9292', '--web-host=0.0.0.0', '-c', '5', 'reg.js'];
    expect(childArgs(argv)).toEqual(['-c', '5', 'reg.js']);
    expect(childArgs(['--web=0', '--web-host', 'h', 'reg.js'])).toEqual(['reg.js']);
  });

  it('gives child i its own metrics port, PORT+i', () => {
    const argv = ['--processes', '2', '--metrics-port=9400', 'reg.js'];
    const config = parseRunArgs(argv, {});
    if (config.kind !== 'run') throw new Error('expected a run command');
    expect(childArgs(argv, config.config, 0)).toEqual(['--metrics-port', '9400', 'reg.js']);
    expect(childArgs(argv, config.config, 1)).toEqual(['--metrics-port', '9401', 'reg.js']);
  });
});
