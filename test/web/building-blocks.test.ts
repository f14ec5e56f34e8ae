/**
 * The dashboard's small parts on their own: escaping, the auth check, the CSRF check, entry keys, routing, and
 * the chart scale. The pages themselves are tested in a browser (dashboard-browser.test.ts).
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AuthConfigError, Authenticator } from '../../runtime/web/auth.js';
import { roundMax, ticks } from '../../runtime/web/chart.js';
import { csrfRefusal, parseCookies } from '../../runtime/web/csrf.js';
import { parseEntryKey } from '../../runtime/web/entry-key.js';
import { argsPreview, shortened } from '../../runtime/web/format.js';
import { escapeHtml, html, raw } from '../../runtime/web/html.js';
import { matchRoute } from '../../runtime/web/routes.js';

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('html', () => {
  it('escapes every interpolated value, and passes only SafeHtml through', () => {
    const evil = `<script>alert("x")</script>' onload='`;
    const out = html`<p title="${evil}">${evil}${raw('<br>')}${[evil, 1]}${null}${undefined}${false}</p>`;
    expect(out.text).toBe(`<p title="${escapeHtml(evil)}">${escapeHtml(evil)}<br>${escapeHtml(evil)}1</p>`);
    expect(out.text).not.toContain('<script>');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});

describe('listings', () => {
  it('cut long arguments and errors between characters, never inside an emoji', () => {
    const emoji = '🚀'.repeat(200);
    for (const cut of [argsPreview([emoji]), argsPreview([`x${emoji}`]), shortened(`E: x${emoji}`, 200)]) {
      expect(cut.endsWith('…')).toBe(true);
      expect(Buffer.from(cut).toString()).toBe(cut); // half an emoji would come out as �
    }
    expect(argsPreview(['ü🚀'])).toBe('"ü🚀"');
    expect(shortened('short', 200)).toBe('short');
  });
});

describe('authentication', () => {
  const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

  it('lets everyone in when neither a password nor a token is set', () => {
    const auth = new Authenticator({});
    expect(auth.open).toBe(true);
    expect(auth.check(request({}), {})).toBe('allowed');
  });

  it('checks user:password and bearer tokens, and the token cookie', () => {
    const auth = new Authenticator({ basic: 'admin:s3cret', token: 'a-token-of-32-characters-or-so!!' });
    expect(auth.check(request({}), {})).toBe('denied');
    expect(auth.check(request({ authorization: basic('admin:s3cret') }), {})).toBe('allowed');
    expect(auth.check(request({ authorization: basic('admin:s3cre') }), {})).toBe('denied');
    expect(auth.check(request({ authorization: basic('admin:s3cret ') }), {})).toBe('denied');
    expect(auth.check(request({ authorization: 'Bearer a-token-of-32-characters-or-so!!' }), {})).toBe(
      'allowed',
    );
    expect(auth.check(request({ authorization: 'Bearer nope' }), {})).toBe('denied');
    expect(auth.check(request({}), { sidepunch_token: 'a-token-of-32-characters-or-so!!' })).toBe('allowed');
  });

  it('refuses settings that cannot be right, in one line', () => {
    expect(() => new Authenticator({ basic: 'nopassword' })).toThrow(AuthConfigError);
    expect(() => new Authenticator({ basic: ':pw' })).toThrow('--auth needs user:password, both non-empty');
    expect(() => new Authenticator({ token: 'short' })).toThrow('--token needs at least 16 characters');
  });
});

describe('CSRF', () => {
  const form = (token?: string) => new URLSearchParams(token ? { authenticity_token: token } : {});

  it('wants the form token to equal the cookie, and the origin to be this host', () => {
    const host = { host: '127.0.0.1:9292' };
    expect(csrfRefusal(request(host), { sidepunch_csrf: 'abc' }, form('abc'))).toBeUndefined();
    expect(
      csrfRefusal(
        request({ ...host, origin: 'http://127.0.0.1:9292' }),
        { sidepunch_csrf: 'abc' },
        form('abc'),
      ),
    ).toBeUndefined();
    expect(csrfRefusal(request(host), {}, form('abc'))).toBe('missing CSRF token');
    expect(csrfRefusal(request(host), { sidepunch_csrf: 'abc' }, form())).toBe('missing CSRF token');
    expect(csrfRefusal(request(host), { sidepunch_csrf: 'abc' }, form('abd'))).toBe('wrong CSRF token');
    expect(
      csrfRefusal(
        request({ ...host, origin: 'http://evil.example' }),
        { sidepunch_csrf: 'abc' },
        form('abc'),
      ),
    ).toBe('cross-origin request from http://evil.example');
    expect(csrfRefusal(request({ ...host, origin: 'null' }), { sidepunch_csrf: 'abc' }, form('abc'))).toBe(
      'request from an opaque origin',
    );
  });

  it('reads cookies, skipping malformed ones', () => {
    expect(parseCookies('a=1; sidepunch_csrf=x%2By; bad=%E0%A4%A; =z')).toEqual({
      a: '1',
      sidepunch_csrf: 'x+y',
    });
  });
});

describe('entry keys and routes', () => {
  it('splits <score>-<jid> at the first dash after the score', () => {
    expect(parseEntryKey('1764294000.123456-abc123')).toEqual({ score: 1764294000.123456, id: 'abc123' });
    expect(parseEntryKey('1764294000-~deadbeef')).toEqual({ score: 1764294000, id: '~deadbeef' });
    expect(parseEntryKey('garbage')).toBeUndefined();
    expect(parseEntryKey('x-abc')).toBeUndefined();
    expect(parseEntryKey('12-')).toBeUndefined();
  });

  it("routes Sidekiq's paths, decoding each segment, and tells a wrong method from a missing page", () => {
    const queue = matchRoute('GET', '/queues/a%2Fb');
    expect(queue !== undefined && queue !== 'wrong-method' && queue.params).toEqual(['a/b']);
    expect(matchRoute('DELETE' as 'GET', '/queues')).toBe('wrong-method');
    expect(matchRoute('POST', '/stats')).toBe('wrong-method');
    expect(matchRoute('GET', '/nowhere')).toBeUndefined();
    const all = matchRoute('POST', '/retries/all');
    const one = matchRoute('POST', '/retries/123-abc');
    expect(all !== undefined && all !== 'wrong-method' && one !== undefined && one !== 'wrong-method').toBe(
      true,
    );
    if (all && all !== 'wrong-method' && one && one !== 'wrong-method')
      expect(all.handler).not.toBe(one.handler);
  });

  it('scales charts to 1, 2 or 5 times a power of ten', () => {
    expect([1, 3, 7, 10, 11, 4_300].map(roundMax)).toEqual([1, 5, 10, 10, 20, 5_000]);
    expect(ticks(5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ticks(20)).toEqual([0, 5, 10, 15, 20]);
    expect(ticks(1000)).toEqual([0, 200, 400, 600, 800, 1000]);
  });
});
