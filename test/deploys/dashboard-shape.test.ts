/**
 * The dashboard's job page, for a job whose arguments fail its worker's validator: which generation of the
 * worker's arguments the job has (sidepunch.shapes.json) and why it fails, or that the runtime upgrades it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { argsValidator } from '../../compiler/validate-args.js';
import type { Registry } from '../../runtime/core/registry.js';
import { startWebServer, type WebServer } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';

const redis = useRedis();
const servers: WebServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

class SendWelcome {
  perform() {}
}
class Upgrading {
  static sidepunchUpgrade([email]: [string]) {
    return [email, 'en'];
  }
  perform() {}
}

const registry: Registry = {
  workers: { SendWelcome, Upgrading },
  validators: {
    SendWelcome: argsValidator({ tuple: ['string', 'string'], min: 2 }),
    Upgrading: argsValidator({ tuple: ['string', 'string'], min: 2 }),
  },
  generations: {
    SendWelcome: {
      current: 2,
      old: [{ generation: 1, validator: argsValidator({ tuple: ['string'], min: 1 }) }],
    },
    Upgrading: {
      current: 2,
      old: [{ generation: 1, validator: argsValidator({ tuple: ['string'], min: 1 }) }],
    },
  },
};

async function retryPage(className: string, args: unknown[], jid: string): Promise<string> {
  const payload = {
    class: className,
    args,
    queue: 'default',
    jid,
    retry: true,
    retry_count: 0,
    failed_at: 1764294000,
  };
  await redis.redis.zadd('retry', '1764294000.5', JSON.stringify(payload));
  const web = await startWebServer({ redis: redis.server.url, port: 0, registry });
  servers.push(web);
  const response = await fetch(`${web.url}/retries/1764294000.5-${jid}`);
  expect(response.status).toBe(200);
  return response.text();
}

describe("a job page, for arguments that fail the worker's validator", () => {
  it('names the old generation they have and why they are rejected', async () => {
    const markup = await retryPage('SendWelcome', ['a@example.com'], '0123456789abcdef01234567');
    expect(markup).toContain('id="args-shape"');
    expect(markup).toContain(
      "These arguments have generation 1 of SendWelcome's (now generation 2), but SendWelcome has no upgrade step from generation 1 (static sidepunchUpgrade).",
    );
    expect(markup).toContain(
      'They fail its validator: <span class="mono">args: expected 2 arguments, got 1</span>',
    );
  });

  it('says when the runtime upgrades them, and says nothing for arguments that fit', async () => {
    const upgraded = await retryPage('Upgrading', ['a@example.com'], '0123456789abcdef01234568');
    expect(upgraded).toContain('the runtime upgrades them before it runs the job');
    const fitting = await retryPage('SendWelcome', ['a@example.com', 'fr'], '0123456789abcdef01234569');
    expect(fitting).not.toContain('id="args-shape"');
  });
});
