/**
 * A job pushed with an older generation of its worker's arguments, upgraded by the runtime, that then fails: it is
 * an ordinary job from its upgrade on, so its retry and its dead-set entry hold the upgraded arguments.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { argsValidator } from '../../compiler/validate-args.js';
import { Client } from '../../runtime/client/client.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
let client: Client | undefined;
let runtime: InProcessRuntime | undefined;

afterEach(async () => {
  await client?.close();
  await runtime?.stop();
  client = undefined;
  runtime = undefined;
});

const performed: unknown[][] = [];

/** Generation 1 was `(email)`; generation 2 is `(email, locale)`. */
class Mailer {
  static sidepunchUpgrade([email]: [string]) {
    return [email, 'en'];
  }
  perform(...args: unknown[]) {
    performed.push(args);
    throw new Error('smtp down');
  }
}

function start() {
  runtime = startInProcess(
    fixture.server.url,
    { Mailer },
    {
      validators: { Mailer: argsValidator({ tuple: ['string', 'string'], min: 2 }) },
      generations: {
        Mailer: {
          current: 2,
          old: [{ generation: 1, validator: argsValidator({ tuple: ['string'], min: 1 }) }],
        },
      },
    },
  );
  client = new Client({ redis: fixture.server.url, clock: runtime.clock });
  return runtime;
}

async function onlyJob(key: 'retry' | 'dead'): Promise<Record<string, unknown>> {
  const members = await fixture.redis.zrange(key, 0, -1);
  expect(members).toHaveLength(1);
  return JSON.parse(members[0]!);
}

describe('a job upgraded to its worker’s new arguments that then fails', () => {
  it('retries with the upgraded arguments, and reaches the dead set with them', async () => {
    const { next } = start();
    let written = next('complete:flushed');
    const retried = await client!.push({ class: 'Mailer', args: ['old@x'], x_custom: 'kept' } as never);
    await written;
    expect(performed).toEqual([['old@x', 'en']]);
    expect(await onlyJob('retry')).toMatchObject({
      jid: retried,
      args: ['old@x', 'en'],
      x_custom: 'kept',
      retry_count: 0,
    });

    written = next('complete:flushed');
    const killed = await client!.push({ class: 'Mailer', args: ['last@x'], retry: 0 } as never);
    await written;
    expect(await onlyJob('dead')).toMatchObject({ jid: killed, args: ['last@x', 'en'], retry_count: 0 });
  });
});
