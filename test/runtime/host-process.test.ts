/** Telling from this host that a recorded process is gone, and never guessing when it cannot be told. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type HostProcess, isGone, thisHostProcess } from '../../runtime/server/host-process.js';

const here = thisHostProcess()!;

async function deadChild(): Promise<HostProcess> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
  await once(child, 'spawn');
  const record = recordOf(child.pid!);
  expect(isGone(record)).toBe(false);
  child.kill('SIGKILL');
  await once(child, 'exit');
  return record;
}

function recordOf(pid: number): HostProcess {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  return { ...here, pid, startTicks };
}

describe.runIf(here !== undefined)('a process recorded on this host', () => {
  it('is gone once its pid is free', async () => {
    expect(isGone(await deadChild())).toBe(true);
  });

  it('is gone when its pid now belongs to a process that started at another time', () => {
    expect(isGone({ ...here, startTicks: here.startTicks - 1 })).toBe(true);
    expect(isGone({ ...recordOf(process.ppid), startTicks: 1 })).toBe(true);
  });

  it('is alive while it runs (this process, a sibling thread, another process)', () => {
    expect(isGone(here)).toBe(false);
    expect(isGone(recordOf(process.ppid))).toBe(false);
  });

  it('proves nothing from another pid namespace, boot or host, where a free pid says nothing', async () => {
    const dead = await deadChild();
    expect(isGone({ ...dead, pidNamespace: 'pid:[1]' })).toBe(false);
    expect(isGone({ ...dead, bootId: 'another-boot' })).toBe(false);
    expect(isGone({ ...dead, hostname: 'another-host' })).toBe(false);
  });
});
