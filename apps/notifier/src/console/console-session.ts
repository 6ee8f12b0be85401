import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The console's session cookie: who signed in, until when, signed with a server-side key. */
export const SESSION_COOKIE = 'approvals_session';
const SESSION_HOURS = 8;

export class ConsoleSessions {
  private readonly key: Buffer;

  constructor(secret?: string) {
    // Without a configured secret, sessions last as long as this process: restart means sign in again.
    this.key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  /** A cookie value naming `humanId`, valid for eight hours. */
  issue(humanId: string, now = Date.now()): string {
    const claims = Buffer.from(JSON.stringify({ sub: humanId, exp: now + SESSION_HOURS * 3_600_000 })).toString('base64url');
    return `${claims}.${this.mac(`session:${claims}`)}`;
  }

  /** The signed-in person of a Cookie header, if its session is genuine and current. */
  read(cookieHeader: string | undefined, now = Date.now()): { humanId: string; session: string } | undefined {
    const session = parseCookies(cookieHeader)[SESSION_COOKIE];
    if (!session) return undefined;
    const [claims, mac] = session.split('.');
    if (!claims || !mac || !this.same(mac, this.mac(`session:${claims}`))) return undefined;
    try {
      const { sub, exp } = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { sub?: unknown; exp?: unknown };
      if (typeof sub !== 'string' || typeof exp !== 'number' || exp <= now) return undefined;
      return { humanId: sub, session };
    } catch {
      return undefined;
    }
  }

  /** A short-lived signed cookie value for `data` (the pending OpenID sign-in). */
  seal(purpose: string, data: unknown, now = Date.now(), lifetimeMs = 600_000): string {
    const body = Buffer.from(JSON.stringify({ data, exp: now + lifetimeMs })).toString('base64url');
    return `${body}.${this.mac(`${purpose}:${body}`)}`;
  }

  unseal<T>(purpose: string, value: string | undefined, now = Date.now()): T | undefined {
    const [body, mac] = (value ?? '').split('.');
    if (!body || !mac || !this.same(mac, this.mac(`${purpose}:${body}`))) return undefined;
    try {
      const { data, exp } = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { data: T; exp: number };
      return exp > now ? data : undefined;
    } catch {
      return undefined;
    }
  }

  /** The anti-forgery token of forms shown in this session (a form from another site cannot know it). */
  csrfToken(session: string): string {
    return this.mac(`csrf:${session}`);
  }

  checkCsrf(session: string, token: unknown): boolean {
    return typeof token === 'string' && this.same(token, this.csrfToken(session));
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }

  private same(a: string, b: string): boolean {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index <= 0) continue;
    const name = part.slice(0, index).trim();
    const value = part.slice(index + 1).trim();
    if (name && !(name in cookies)) cookies[name] = value;
  }
  return cookies;
}
