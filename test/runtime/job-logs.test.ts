/**
 * What `sidepunch-run` prints about jobs, read from a real process: a failed job's stack, a job's own console
 * output in its place between `start` and `done`, `--log-format json` in every mode, and a logger handed over by
 * the registry's configureServer.
 */
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT, type RuntimeProcess, waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();
const LOGGING = `${REPO_ROOT}fixtures/registries/logging.mjs`;
const OWN_LOGGER = `${REPO_ROOT}fixtures/registries/own-logger.mjs`;
const FAST = ['--heartbeat', '0.25', '--process-ttl', '1'];

async function push(className: string, args: unknown[]): Promise<string> {
  const jid = await fixture.client.push({ class: className, args });
  if (jid === undefined) throw new Error('no client middleware here stops a push');
  return jid;
}

/** Pushes an ok job and waits for its `done` line: everything printed before it has been read by then. */
async function settle(
  runtime: RuntimeProcess,
  done = (jid: string) => new RegExp(`jid=${jid} .*INFO: done`),
) {
  const jid = await push('Probe', ['ok', 'settle']);
  await runtime.waitForLine(done(jid));
}

/** The lines printed right after the first line matching `head`. */
function linesAfter(runtime: RuntimeProcess, head: RegExp): string[] {
  const lines = runtime.output().split('\n');
  const at = lines.findIndex((line) => head.test(line));
  expect(at, `no line matching ${head}`).toBeGreaterThanOrEqual(0);
  return lines.slice(at + 1);
}

/** What the process writes to stdout alone, complete once it has closed its pipes. */
function collectStdout(runtime: RuntimeProcess): { text(): string; closed: Promise<void> } {
  let text = '';
  runtime.child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const closed = new Promise<void>((resolve) => runtime.child.once('close', () => resolve()));
  return { text: () => text, closed };
}

function parseEveryLine(text: string): Record<string, unknown>[] {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  return lines.map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`not a JSON line: ${line}`);
    }
  });
}

describe("a failed job's stack", () => {
  it('follows its fail line: the first three frames, indented, then how many more', async () => {
    const runtime = fixture.run(FAST, { registry: LOGGING });
    const jid = await push('Thrower', ['deep']);
    await settle(runtime);
    const below = linesAfter(
      runtime,
      new RegExp(`class=Thrower jid=${jid} elapsed=\\S+ WARN: fail: Error: deep down$`),
    );
    expect(below.slice(0, 3)).toEqual([
      expect.stringMatching(/^ {4}at descend \(file:\/\/\S+\/logging\.mjs:\d+:\d+\)$/),
      expect.stringMatching(/^ {4}at descend \(/),
      expect.stringMatching(/^ {4}at descend \(/),
    ]);
    expect(below[3]).toMatch(/^ {4}… \d+ more frames \(log level debug shows all\)$/);
    expect(below[4]).toMatch(/^\d{4}-\d\d-\d\dT.* pid=\d+ /);
  });

  it('shows every frame with -v', async () => {
    const runtime = fixture.run([...FAST, '-v'], { registry: LOGGING });
    const jid = await push('Thrower', ['deep']);
    await settle(runtime);
    const below = linesAfter(runtime, new RegExp(`jid=${jid} elapsed=\\S+ WARN: fail: Error: deep down$`));
    const frames = below.slice(
      0,
      below.findIndex((line) => !line.startsWith('    ')),
    );
    // Node keeps 10 frames (Error.stackTraceLimit): seven in descend, then perform and the runtime's calls.
    expect(frames).toHaveLength(10);
    expect(frames.filter((line) => line.startsWith('    at descend ('))).toHaveLength(7);
    expect(frames[7]).toMatch(/^ {4}at Thrower\.perform \(/);
    expect(frames.join('\n')).not.toMatch(/more frames/);
  });

  it('says why there is none when the job threw something that is not an Error', async () => {
    const runtime = fixture.run(FAST, { registry: LOGGING });
    const thrown = await fixture.client.pushBulk({
      class: 'Thrower',
      args: [['string'], ['null'], ['object']],
    });
    await settle(runtime);
    const noStack = (jid: string, message: string) =>
      linesAfter(runtime, new RegExp(`jid=${jid} elapsed=\\S+ WARN: fail: ${message}$`))[0];
    expect(noStack(thrown[0]!, 'Error: just a string')).toBe(
      '    (no stack trace: a string was thrown, not an Error)',
    );
    expect(noStack(thrown[1]!, 'Error: null')).toBe('    (no stack trace: null was thrown, not an Error)');
    expect(noStack(thrown[2]!, 'Error: \\{ code: 42 \\}')).toBe(
      '    (no stack trace: an object was thrown, not an Error)',
    );
  });
});

describe("a job's own console output", () => {
  it.each([
    ['one event loop', []],
    ['--threads 2', ['--threads', '2']],
  ])('comes after its start line and before its done line (%s)', async (_mode, args) => {
    const runtime = fixture.run([...FAST, ...args, '-c', '5'], { registry: LOGGING });
    const jids = await fixture.client.pushBulk({
      class: 'Chatty',
      args: Array.from({ length: 20 }, (_, index) => [`chatty-${index}`]),
    });
    for (const jid of jids) await runtime.waitForLine(new RegExp(`jid=${jid} .*INFO: done`));
    const lines = runtime.output().split('\n');
    jids.forEach((jid, index) => {
      const where = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
      const start = where(new RegExp(`class=Chatty jid=${jid} INFO: start$`));
      const before = where(new RegExp(`^chatty-${index} before await$`));
      const after = where(new RegExp(`^chatty-${index} after await$`));
      const done = where(new RegExp(`class=Chatty jid=${jid} elapsed=\\S+ INFO: done$`));
      expect(
        [start, before, after, done].every((at) => at >= 0),
        `${jid}: ${start} ${before} ${after} ${done}`,
      ).toBe(true);
      expect(start).toBeLessThan(before);
      expect(before).toBeLessThan(after);
      expect(after).toBeLessThan(done);
    });
  });
});

describe('--log-format json', () => {
  it('writes one object per line with time, level, msg, pid and the fields the text format prints', async () => {
    const runtime = fixture.run([...FAST, '--log-format', 'json'], { registry: LOGGING });
    const stdout = collectStdout(runtime);
    const ok = await push('Probe', ['ok', 'json']);
    const failed = await push('Thrower', ['deep']);
    await runtime.waitForLine(new RegExp(`"jid":"${failed}"`));
    await waitUntil('the ok job done', async () => (await fixture.redis.llen('probe:done:json')) === 1);
    expect(await runtime.stop('SIGTERM')).toBe(0);
    await stdout.closed;
    const records = parseEveryLine(stdout.text());
    for (const record of records) {
      expect(record).toMatchObject({
        level: expect.any(String),
        msg: expect.any(String),
        pid: runtime.child.pid,
      });
      expect(new Date(record.time as string).toISOString()).toBe(record.time);
    }
    expect(records.map((record) => record.msg)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^queues: default \(from the registry/),
        expect.stringMatching(/^sidepunch-run starting: concurrency=10/),
      ]),
    );
    const ofJob = (jid: string) => records.filter((record) => record.jid === jid);
    expect(ofJob(ok)).toEqual([
      {
        time: expect.any(String),
        level: 'info',
        msg: 'start',
        pid: runtime.child.pid,
        class: 'Probe',
        jid: ok,
      },
      {
        time: expect.any(String),
        level: 'info',
        msg: 'done',
        pid: runtime.child.pid,
        class: 'Probe',
        jid: ok,
        elapsed: expect.stringMatching(/^\d+\.\d{3}$/),
      },
    ]);
    const fail = ofJob(failed).find((record) => record.level === 'warn');
    expect(fail).toMatchObject({
      msg: 'fail: Error: deep down',
      class: 'Thrower',
      elapsed: expect.any(String),
    });
    expect((fail!.stack as string).split('\n')).toEqual([
      expect.stringMatching(/^at descend \(file:.*logging\.mjs:\d+:\d+\)$/),
      expect.stringMatching(/^at descend /),
      expect.stringMatching(/^at descend /),
      expect.stringMatching(/^… \d+ more frames/),
    ]);
  });

  it.each([
    ['--threads 2', ['--threads', '2']],
    ['--processes 2', ['--processes', '2']],
  ])('is what every thread and child process writes too (%s)', async (_mode, args) => {
    const runtime = fixture.run([...FAST, '--log-format', 'json', ...args], { registry: LOGGING });
    const stdout = collectStdout(runtime);
    await waitUntil('two processes registered', async () => (await fixture.redis.scard('processes')) === 2);
    const jids = await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 40 }, () => ['ok', 'many']),
    });
    await waitUntil('every job done', async () => (await fixture.redis.llen('probe:done:many')) === 40);
    expect(await runtime.stop('SIGTERM')).toBe(0);
    await stdout.closed;
    const records = parseEveryLine(stdout.text());
    const done = records.filter((record) => record.msg === 'done').map((record) => record.jid);
    expect(new Set(done)).toEqual(new Set(jids));
    // Each thread's launcher, or each child's, says it is starting, in JSON too.
    const starting = records.filter((record) => /^sidepunch-run starting/.test(record.msg as string));
    const pids = starting.map((record) => record.pid);
    expect(pids).toHaveLength(2);
    if (args[0] === '--threads') expect(new Set(pids)).toEqual(new Set([runtime.child.pid]));
    else expect(new Set(pids).size).toBe(2);
  });
});

describe('a logger handed over by the registry (server.logger in configureServer)', () => {
  it('receives the job lines, with (fields, message) and the text format fields', async () => {
    const runtime = fixture.run(FAST, { registry: OWN_LOGGER });
    const ok = await push('Probe', ['ok', 'own']);
    const failed = await push('Thrower', ['deep']);
    await settle(runtime, (jid) => new RegExp(`^own-logger .*"jid":"${jid}".*"msg":"done"`));
    const records = runtime
      .output()
      .split('\n')
      .filter((line) => line.startsWith('own-logger '))
      .map((line) => JSON.parse(line.slice('own-logger '.length)) as Record<string, unknown>);
    const ofJob = (jid: string) => records.filter((record) => record.jid === jid);
    expect(ofJob(ok)).toEqual([
      { level: 'info', app: 'shop', component: 'jobs', class: 'Probe', jid: ok, msg: 'start' },
      {
        level: 'info',
        app: 'shop',
        component: 'jobs',
        class: 'Probe',
        jid: ok,
        elapsed: expect.stringMatching(/^\d+\.\d{3}$/),
        msg: 'done',
      },
    ]);
    expect(ofJob(failed)[1]).toMatchObject({
      level: 'warn',
      msg: 'fail: Error: deep down',
      stack: expect.stringMatching(/^at descend \(file:.*\nat descend .*\nat descend .*\n… \d+ more frames/),
    });
    // Nothing about these jobs in the runtime's own text lines.
    expect(runtime.output()).not.toMatch(new RegExp(`jid=(${ok}|${failed})`));
  });
});
