import { ConsoleSessions, SESSION_COOKIE, parseCookies } from './console-session';
import { esc } from './console-pages';

describe('ConsoleSessions', () => {
  const sessions = new ConsoleSessions('a-test-secret-of-at-least-32-characters!');
  const now = Date.parse('2026-12-01T12:00:00Z');

  it('reads back who signed in, until the session ends', () => {
    const cookie = `${SESSION_COOKIE}=${sessions.issue('alice', now)}`;
    expect(sessions.read(cookie, now + 1000)).toMatchObject({ humanId: 'alice' });
    expect(sessions.read(cookie, now + 8 * 3_600_000 + 1)).toBeUndefined();
  });

  it('refuses a session with changed claims, another key, or garbage', () => {
    const value = sessions.issue('alice', now);
    const [, mac] = value.split('.');
    const bob = Buffer.from(JSON.stringify({ sub: 'bob', exp: now + 3_600_000 })).toString('base64url');
    expect(sessions.read(`${SESSION_COOKIE}=${bob}.${mac}`, now)).toBeUndefined();
    expect(new ConsoleSessions('another-secret-of-at-least-32-characters').read(`${SESSION_COOKIE}=${value}`, now)).toBeUndefined();
    expect(sessions.read(`${SESSION_COOKIE}=nonsense`, now)).toBeUndefined();
    expect(sessions.read(undefined, now)).toBeUndefined();
  });

  it('binds the form token to the session', () => {
    const one = sessions.issue('alice', now);
    const two = sessions.issue('alice', now + 1);
    expect(sessions.checkCsrf(one, sessions.csrfToken(one))).toBe(true);
    expect(sessions.checkCsrf(one, sessions.csrfToken(two))).toBe(false);
    expect(sessions.checkCsrf(one, undefined)).toBe(false);
  });

  it('parses cookies and escapes markup', () => {
    expect(parseCookies('a=1; b=two; a=3')).toEqual({ a: '1', b: 'two' });
    expect(esc('<script>"x"&\'y\'</script>')).toBe('&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;');
  });
});
