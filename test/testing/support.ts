/** Workers and stubs the testing-mode tests share: what a generated stubs file and its workers would be. */

import { workerStub } from '../../runtime/client/stub.js';
import type { SidepunchWorker } from '../../runtime/core/worker.js';

export const performed: string[] = [];

export class Greet implements SidepunchWorker {
  static sidepunchOptions = { queue: 'mail' };
  jid?: string;
  perform(name: string, times = 1): void {
    for (let i = 0; i < times; i++) performed.push(`hello ${name}`);
  }
}

export class Chain implements SidepunchWorker {
  async perform(steps: number): Promise<void> {
    performed.push(`chain ${steps}`);
    if (steps > 1) await jobs.Chain.performAsync(steps - 1);
  }
}

export class Explode implements SidepunchWorker {
  perform(message: string): void {
    throw new Error(message);
  }
}

export class TakesDate implements SidepunchWorker {
  perform(when: { at: string }): void {
    performed.push(typeof when.at);
  }
}

export const jobs = {
  Greet: workerStub<[name: string, times?: number]>('Greet', { queue: 'mail' }),
  Chain: workerStub<[steps: number]>('Chain'),
  Explode: workerStub<[message: string]>('Explode'),
  TakesDate: workerStub<[when: { at: string }]>('TakesDate'),
} as const;
