import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunArgs, UsageError } from '../../runtime/cli/run.js';
import { parseRedisUrl, redactUrl } from '../../runtime/redis/redis-url.js';

describe('Redis URLs', () => {
  it('one Redis: user, password (percent-decoded), host, port and database', () => {
    expect(parseRedisUrl('redis://alice:p%40ss%3Aw%2Frd@redis.internal:6380/3')).toEqual({
      mode: 'standalone',
      nodes: [{ host: 'redis.internal', port: 6380 }],
      username: 'alice',
      password: 'p@ss:w/rd',
      db: 3,
      masterName: undefined,
      sentinelUsername: undefined,
      sentinelPassword: undefined,
      tls: undefined,
    });
    expect(parseRedisUrl('redis://:only-a-password@[::1]')).toMatchObject({
      nodes: [{ host: '::1', port: 6379 }],
      username: undefined,
      password: 'only-a-password',
      db: 0,
    });
  });

  it('rediss:// turns TLS on and reads the CA file named in the query', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sidepunch-url-'));
    writeFileSync(path.join(dir, 'ca.pem'), 'PEM');
    const endpoint = parseRedisUrl(`rediss://h:6390?tls_ca=${dir}/ca.pem&tls_servername=redis.example`);
    expect(endpoint.tls).toEqual({ ca: 'PEM', servername: 'redis.example' });
    expect(parseRedisUrl('rediss://h?tls_insecure=1').tls).toEqual({ rejectUnauthorized: false });
    expect(parseRedisUrl('rediss://h').tls).toEqual({});
  });

  it('a Sentinel group: several hosts, the primary name, optional database and Sentinel password', () => {
    expect(
      parseRedisUrl('redis+sentinel://bob:pw@s1:26379,s2,10.0.0.3:26380/mymaster/2?sentinelPassword=sp'),
    ).toMatchObject({
      mode: 'sentinel',
      nodes: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: '10.0.0.3', port: 26380 },
      ],
      username: 'bob',
      password: 'pw',
      db: 2,
      masterName: 'mymaster',
      sentinelPassword: 'sp',
    });
  });

  it('a cluster: seed nodes', () => {
    expect(parseRedisUrl('redis+cluster://n1:7000,n2:7001')).toMatchObject({
      mode: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
    });
  });

  it.each([
    ['http://h', 'unknown scheme "http:"'],
    ['127.0.0.1:6379', 'expected redis://'],
    ['redis://a,b', 'several hosts need redis+sentinel:// or redis+cluster://'],
    ['redis+sentinel://s1:26379', 'name the primary after the hosts'],
    ['redis://h/zero', 'database must be a number, not "zero"'],
    ['redis://h:99999', 'bad port in "h:99999"'],
    ['redis://h?tls_ca=x', 'tls_* options need a rediss:// URL'],
    ['redis://h?timeout=3', 'unknown option "timeout"'],
    ['redis+cluster://n1/1', 'a cluster has only database 0'],
  ])('%s is refused: %s', (url, why) => {
    expect(() => parseRedisUrl(url)).toThrow(why);
  });

  it('passwords never appear in what is printed, including errors about the URL', () => {
    expect(redactUrl('redis://alice:secret@h:6379/0')).toBe('redis://alice:***@h:6379/0');
    expect(redactUrl('redis://:secret@h')).toBe('redis://:***@h');
    expect(redactUrl('redis+sentinel://u:secret@s1,s2/m?sentinelPassword=secret2')).toBe(
      'redis+sentinel://u:***@s1,s2/m?sentinelPassword=***',
    );
    expect(redactUrl('redis://h:6379/0')).toBe('redis://h:6379/0');
    expect(() => parseRedisUrl('redis://alice:secret@h/x')).toThrow(
      /^bad Redis URL redis:\/\/alice:\*\*\*@h\/x:/,
    );
    // Without a scheme, or a scheme missing a slash, the password is still hidden.
    for (const url of ['alice:secret@127.0.0.1:6379', 'redis:/alice:secret@127.0.0.1']) {
      expect(redactUrl(url)).not.toContain('secret');
      expect(() => parseRedisUrl(url)).toThrow(/^bad Redis URL \*\*\*@127\.0\.0\.1/);
    }
  });

  it('an "@" in a query value (a file path) is not taken for the end of the password', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'u@corp-'));
    const ca = path.join(dir, 'ca.pem');
    writeFileSync(ca, 'not checked here');
    try {
      const url = `rediss://alice:secret@127.0.0.1:6380/2?tls_ca=${ca}`;
      expect(parseRedisUrl(url)).toMatchObject({ username: 'alice', password: 'secret', db: 2 });
      expect(redactUrl(url)).toBe(`rediss://alice:***@127.0.0.1:6380/2?tls_ca=${ca}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sidepunch-run refuses a bad --redis in one line, without the password', () => {
    let error: unknown;
    try {
      parseRunArgs(['--redis', 'redis://alice:secret@h:1/0?x=1', 'registry.js'], {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      'bad Redis URL redis://alice:***@h:1/0?x=1: unknown option "x" (known: tls_ca, tls_cert, tls_key, tls_insecure, tls_servername, sentinelUsername, sentinelPassword)',
    );
  });
});
