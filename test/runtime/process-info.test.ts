/**
 * The process hash's `info` in the shape each Sidekiq generation's Web UI reads: 7.x's `weights`, `version`,
 * `embedded`; 8.x's `capsules` (`{ name: { concurrency, mode, weights } }`, Sidekiq 8.1's Busy page); strict
 * order written as weight 0, as Sidekiq writes it.
 */
import { describe, expect, it } from 'vitest';
import { processInfo } from '../../runtime/server/process-info.js';
import { resolveConfig } from '../../runtime/server/run-config.js';

const configWith = (queues?: string[], concurrency = '5') =>
  resolveConfig({ registryPath: 'dist/registry.js', queues, concurrency }, {});

describe('the heartbeat’s info, for Sidekiq 6.4 to 8.1 readers', () => {
  it('writes strict queue order as weight 0 and mode strict, as Sidekiq does for -q a -q b', () => {
    const info = processInfo(configWith(['critical', 'default']), 'host:1:abc', 1795844511.5);
    expect(info).toMatchObject({
      concurrency: 5,
      queues: ['critical', 'default'],
      weights: [{ critical: 0, default: 0 }],
      capsules: { default: { concurrency: 5, mode: 'strict', weights: { critical: 0, default: 0 } } },
      identity: 'host:1:abc',
      started_at: 1795844511.5,
      version: expect.stringMatching(/^sidepunch \d/),
      embedded: false,
    });
  });

  it('keeps the weights of -q name,weight, with mode weighted, or random when every weight is 1', () => {
    const weighted = processInfo(configWith(['critical,3', 'default']), 'host:1:abc', 1);
    expect(weighted.weights).toEqual([{ critical: 3, default: 1 }]);
    expect(weighted.capsules).toEqual({
      default: { concurrency: 5, mode: 'weighted', weights: { critical: 3, default: 1 } },
    });
    // No -q: default plus the registry's queues, drawn in a fresh random order per fetch.
    const registry = {
      ...configWith(undefined, '2'),
      queues: [
        { name: 'default', weight: 1 },
        { name: 'b', weight: 1 },
      ],
    };
    const random = processInfo(registry, 'host:1:abc', 1);
    expect(random.capsules).toEqual({
      default: { concurrency: 2, mode: 'random', weights: { default: 1, b: 1 } },
    });
    // One queue is strict order, whatever its weight.
    const single = processInfo(configWith(undefined, '2'), 'host:1:abc', 1);
    expect(single.capsules).toEqual({ default: { concurrency: 2, mode: 'strict', weights: { default: 0 } } });
  });

  it('is JSON whose types Ruby reads as Integer, String and Hash', () => {
    const text = JSON.stringify(processInfo(configWith(['a,2', 'b']), 'host:1:abc', 1795844511.25));
    expect(text).toContain(
      '"capsules":{"default":{"concurrency":5,"mode":"weighted","weights":{"a":2,"b":1}}}',
    );
    expect(text).toContain('"weights":[{"a":2,"b":1}]');
  });
});
