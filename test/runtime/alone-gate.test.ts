/** The process-wide gate that makes a suspect run alone in every thread of the process. */
import { describe, expect, it } from 'vitest';
import { AloneGate } from '../../runtime/server/alone-gate.js';

describe('the alone gate', () => {
  it('once a thread takes it, other threads start nothing until it is released', async () => {
    const shared = AloneGate.shared(2);
    const first = new AloneGate(shared, 0);
    const second = new AloneGate(shared, 1);
    await first.take();
    expect(second.tryStart()).toBe(false);
    expect(first.tryStart()).toBe(true);
    first.finished();
    first.release();
    expect(second.tryStart()).toBe(true);
  });

  it('waits for the jobs other threads are running, and lets one thread hold it at a time', async () => {
    const shared = AloneGate.shared(2);
    const first = new AloneGate(shared, 0);
    const second = new AloneGate(shared, 1);
    expect(second.tryStart()).toBe(true);
    let taken = false;
    const taking = first.take().then(() => (taken = true));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(taken).toBe(false);
    second.finished();
    await taking;
    let secondTaken = false;
    const secondTaking = second.take().then(() => (secondTaken = true));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(secondTaken).toBe(false);
    first.release();
    await secondTaking;
  });

  it('a thread that died holding it or running jobs holds up nobody', async () => {
    const shared = AloneGate.shared(2);
    const dying = new AloneGate(shared, 0);
    const other = new AloneGate(shared, 1);
    expect(dying.tryStart()).toBe(true);
    AloneGate.releaseThread(shared, 0);
    await other.take();
    expect(new AloneGate(shared, 0).tryStart()).toBe(false);
    AloneGate.releaseThread(shared, 1);
    expect(new AloneGate(shared, 0).tryStart()).toBe(true);
  });
});
