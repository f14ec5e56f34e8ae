/**
 * docs/redis-format.md lists every key runtime/redis/keys.ts builds: each member of `Keys`, called with the
 * placeholders the page uses, gives a key that starts a row of one of its key tables (prefix members, such as
 * `sidepunch:rescued:`, start one). A new member fails here until it has sample arguments and a row.
 */
import { readFileSync } from 'node:fs';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { Keys } from '../../runtime/redis/keys.js';
import { REPO_ROOT } from '../support/runtime-process.js';

const NAME = '<name>';
const IDENTITY = '<identity>';

/** Every member of `Keys`, with the keys it builds for the page's placeholders. */
const SAMPLES: Record<string, (keys: Keys) => string[]> = {
  queues: (keys) => [keys.queues],
  queue: (keys) => [keys.queue(NAME)],
  schedule: (keys) => [keys.schedule],
  retry: (keys) => [keys.retry],
  dead: (keys) => [keys.dead],
  deadReasons: (keys) => [keys.deadReasons],
  processes: (keys) => [keys.processes],
  process: (keys) => [keys.process(IDENTITY)],
  work: (keys) => Object.values(keys.work(IDENTITY)),
  processCleanup: (keys) => [keys.processCleanup],
  leader: (keys) => [keys.leader],
  signals: (keys) => [keys.signals(IDENTITY)],
  processQueues: (keys) => [keys.processQueues],
  rescueLock: (keys) => [keys.rescueLock(IDENTITY)],
  rescueCountPrefix: (keys) => [keys.rescueCountPrefix(NAME)],
  aloneCrashCountPrefix: (keys) => [keys.aloneCrashCountPrefix(NAME)],
  promoting: (keys) => [keys.promoting(keys.schedule, IDENTITY), keys.promoting(keys.retry, IDENTITY)],
  promoted: (keys) => [keys.promoted(NAME)],
  inProgress: (keys) => [keys.inProgress(IDENTITY, NAME)],
  suspects: (keys) => [keys.suspects(NAME)],
  suspectClaimed: (keys) => [keys.suspectClaimed(IDENTITY, NAME)],
  suspectAlone: (keys) => [keys.suspectAlone(IDENTITY, NAME)],
  periodic: (keys) => [keys.periodic],
  periodicWriter: (keys) => [keys.periodicWriter],
  periodicState: (keys) => [keys.periodicState(NAME)],
  periodicStatePrefix: (keys) => [keys.periodicStatePrefix],
  jobMetrics: (keys) => [keys.jobMetrics('<bucket>')],
  jobHistogram: (keys) => [
    keys.jobHistogram('<Class>', '<window>'),
    keys.jobHistogram('<Class>', '<window>', true),
  ],
  uniqueLock: (keys) => [keys.uniqueLock('<digest>')],
  debounce: (keys) => [keys.debounce('<digest>')],
  limiterLeases: (keys) => [keys.limiterLeases('<limiter>')],
  limiterWindow: (keys) => [keys.limiterWindow('<limiter>', 0).replace(/:0$/, ':<window-start-ms>')],
  limiterBucket: (keys) => [keys.limiterBucket('<limiter>')],
  limiters: (keys) => [keys.limiters],
  limiterReschedules: (keys) => [keys.limiterReschedules],
  batch: (keys) => [keys.batch('<bid>')],
  batchPending: (keys) => [keys.batchPending('<bid>')],
  batchFailed: (keys) => [keys.batchFailed('<bid>')],
  batchDead: (keys) => [keys.batchDead('<bid>')],
  batchPrefix: (keys) => [keys.batchPrefix],
  batches: (keys) => [keys.batches],
  flow: (keys) => [keys.flow('<jid>')],
  flowResults: (keys) => [keys.flowResults('<jid>')],
  flowTree: (keys) => [keys.flowTree('<root>')],
  flowState: (keys) => [keys.flowState('<root>')],
  flowPrefix: (keys) => [keys.flowPrefix],
  flows: (keys) => [keys.flows],
  queuePrefix: (keys) => [keys.queuePrefix],
  statProcessed: (keys) => [keys.statProcessed(), keys.statProcessed('<YYYY-MM-DD>')],
  statFailed: (keys) => [keys.statFailed(), keys.statFailed('<YYYY-MM-DD>')],
};

/** The code spans in the first cell of each row of the page's tables headed `| Key |`. */
function documentedKeys(markdown: string): string[] {
  const keys: string[] = [];
  let inKeyTable = false;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) inKeyTable = false;
    else if (line.startsWith('| Key |')) inKeyTable = true;
    else if (inKeyTable) {
      // A `|` inside a key (Sidekiq's metrics keys, `j|…`) is escaped as `\|` in the table.
      const firstCell = line.split(/(?<!\\)\|/)[1]!;
      for (const [, key] of firstCell.matchAll(/`([^`]+)`/g)) keys.push(key!.replaceAll('\\|', '|'));
    }
  }
  return keys;
}

describe('docs/redis-format.md', () => {
  const documented = documentedKeys(readFileSync(`${REPO_ROOT}docs/redis-format.md`, 'utf8'));
  const isDocumented = (key: string) =>
    documented.some((row) => row === key || (key.endsWith(':') && row.startsWith(key)));

  it('has a sample for every member of Keys', () => {
    const members = Object.getOwnPropertyNames(Keys.prototype).filter((name) => name !== 'constructor');
    expect(Object.keys(SAMPLES).sort()).toEqual(members.sort());
  });

  it.each(['standalone', 'cluster'])('documents every key Keys builds (%s mode)', (mode) => {
    // Connections that never connect (lazyConnect): Keys only reads which kind they are.
    const connection =
      mode === 'cluster'
        ? new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true })
        : new Redis({ lazyConnect: true });
    const keys = Keys.for(connection);
    connection.disconnect();
    const built = Object.values(SAMPLES).flatMap((sample) => sample(keys));
    expect(built.filter((key) => !isDocumented(key))).toEqual([]);
  });
});
