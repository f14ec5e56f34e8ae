import { describe, expect, it } from 'vitest';
import { childArgs } from '../../runtime/swarm.js';

describe('the swarm supervisor', () => {
  it('gives its children the same flags without --processes', () => {
    expect(childArgs(['--processes', '3', '-c', '5', 'reg.js'])).toEqual(['-c', '5', 'reg.js']);
    expect(childArgs(['-q', 'a', '--processes=2', 'reg.js'])).toEqual(['-q', 'a', 'reg.js']);
  });
});
