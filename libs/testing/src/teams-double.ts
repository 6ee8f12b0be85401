import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

/**
 * A local stand-in for what a Teams bot talks to (Teams cannot be reached from here): Bot
 * Framework's OpenID metadata and signing keys, the token endpoint of the app's credentials, and
 * the Bot Connector's activities API, checking each request as the services do (client
 * credentials grant and scope; the bearer token it issued; Adaptive Card attachments with
 * Action.Execute). It signs the activities a test sends to the bot exactly as Bot Framework does:
 * an RS256 JWT from https://api.botframework.com for the app id, with the serviceurl claim.
 */

export interface TeamsActivityRecord {
  conversationId: string;
  id: string;
  activity: Record<string, unknown>;
  versions: Record<string, unknown>[];
}

const cardElements = new Set(['TextBlock', 'FactSet', 'Input.Text', 'Container', 'ColumnSet', 'Image']);

export class TeamsDouble {
  readonly violations: string[] = [];
  readonly activities: TeamsActivityRecord[] = [];
  readonly tokensIssued: string[] = [];
  /** What the notify-only Workflows webhook received. */
  readonly workflowPosts: Record<string, unknown>[] = [];
  private server: Server | undefined;
  private key: { privateKey: Parameters<SignJWT['sign']>[0]; jwk: Record<string, unknown> } | undefined;
  private counter = 0;

  constructor(
    readonly appId = '00000000-0000-4000-8000-00000000b07a',
    readonly appPassword = 'test-app-password-0123456789',
  ) {}

  async start(): Promise<this> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    this.key = { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: 'botframework-test-1', use: 'sig', alg: 'RS256' } };
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }
  /** The serviceUrl activities carry, and where the bot sends its replies. */
  get serviceUrl(): string {
    return `${this.url}/`;
  }
  get openIdMetadataUrl(): string {
    return `${this.url}/openid`;
  }
  get tokenUrl(): string {
    return `${this.url}/token`;
  }
  /** A Teams Workflows webhook ("Post to a channel when a webhook request is received"). */
  get workflowUrl(): string {
    return `${this.url}/workflow`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** An `adaptiveCard/action` invoke from a Teams user, signed as Bot Framework signs it. */
  async invoke(
    aadObjectId: string,
    verb: string,
    data: Record<string, unknown>,
    options: { audience?: string; serviceUrlClaim?: string; expiresIn?: number; key?: Parameters<SignJWT['sign']>[0] } = {},
  ): Promise<{ headers: Record<string, string>; body: string }> {
    const activity = {
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: `activity-${(this.counter += 1)}`,
      channelId: 'msteams',
      serviceUrl: this.serviceUrl,
      from: { id: `29:${aadObjectId}`, aadObjectId },
      conversation: { id: '19:approvals@thread.tacv2' },
      value: { action: { type: 'Action.Execute', verb, data } },
    };
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ serviceurl: options.serviceUrlClaim ?? this.serviceUrl })
      .setProtectedHeader({ alg: 'RS256', kid: 'botframework-test-1', typ: 'JWT' })
      .setIssuer('https://api.botframework.com')
      .setAudience(options.audience ?? this.appId)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + (options.expiresIn ?? 300))
      .sign(options.key ?? this.key!.privateKey);
    return { headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(activity) };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await new Promise<string>((resolve) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      request.on('end', () => resolve(text));
    });
    const path = (request.url ?? '').split('?')[0] ?? '';
    const fail = (status: number, problem: string) => {
      this.violations.push(`${request.method} ${path}: ${problem}`);
      send(response, status, { error: { code: 'BadArgument', message: problem } });
    };
    if (path === '/openid') return send(response, 200, { issuer: 'https://api.botframework.com', jwks_uri: `${this.url}/keys`, id_token_signing_alg_values_supported: ['RS256'] });
    if (path === '/keys') return send(response, 200, { keys: [this.key!.jwk] });
    if (path === '/workflow') {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return fail(400, 'the workflow body must be JSON');
      }
      const problem = request.method === 'POST' ? checkCardActivity(message) : 'must be POST';
      if (problem) return fail(400, problem);
      this.workflowPosts.push(message);
      response.writeHead(202).end();
      return;
    }
    if (path === '/token') {
      const form = new URLSearchParams(raw);
      if (request.method !== 'POST' || !String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return fail(400, 'the token request must be a form POST');
      if (form.get('grant_type') !== 'client_credentials' || form.get('scope') !== 'https://api.botframework.com/.default') return fail(400, 'unsupported grant or scope');
      if (form.get('client_id') !== this.appId || form.get('client_secret') !== this.appPassword) return fail(401, 'invalid client credentials');
      const token = `connector-token-${(this.counter += 1)}`;
      this.tokensIssued.push(token);
      return send(response, 200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: token });
    }
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
    if (!match) return fail(404, 'unknown path');
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    if (!bearer || !this.tokensIssued.includes(bearer)) return fail(401, 'the Bot Connector needs a token from the token endpoint');
    let activity: Record<string, unknown>;
    try {
      activity = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return fail(400, 'the body must be JSON');
    }
    const problem = checkCardActivity(activity);
    if (problem) return fail(400, problem);
    const conversationId = decodeURIComponent(match[1]!);
    if (request.method === 'POST' && !match[2]) {
      const id = `1700000000${String((this.counter += 1)).padStart(3, '0')}`;
      this.activities.push({ conversationId, id, activity, versions: [activity] });
      return send(response, 201, { id });
    }
    if (request.method === 'PUT' && match[2]) {
      const record = this.activities.find((a) => a.conversationId === conversationId && a.id === decodeURIComponent(match[2]!));
      if (!record) return fail(404, 'no such activity');
      record.activity = activity;
      record.versions.push(activity);
      return send(response, 200, { id: record.id });
    }
    return fail(405, 'method not allowed');
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

/** The published shape of a message activity with an Adaptive Card (Universal Actions), or what is wrong. */
export function checkCardActivity(activity: Record<string, unknown>): string | undefined {
  if (activity['type'] !== 'message') return 'activity.type must be message';
  const attachments = activity['attachments'] as { contentType?: string; content?: Record<string, unknown> }[] | undefined;
  const attachment = attachments?.[0];
  if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive') return 'the attachment must be an Adaptive Card';
  return checkCard(attachment.content);
}

export function checkCard(content: Record<string, unknown> | undefined): string | undefined {
  if (content?.['type'] !== 'AdaptiveCard' || typeof content['version'] !== 'string') return 'the card needs type AdaptiveCard and a version';
  if (Number(content['version']) < 1.4) return 'Universal Actions need card version 1.4 or later';
  const body = content['body'] as { type?: string }[] | undefined;
  if (!Array.isArray(body) || body.length === 0 || body.some((element) => !cardElements.has(String(element.type)))) return 'the card body has an unknown element';
  const actions = (content['actions'] ?? []) as { type?: string; verb?: string; title?: string }[];
  if (actions.some((action) => action.type !== 'Action.Execute' || !action.verb || !action.title)) return 'card actions must be Action.Execute with a verb and a title';
  return undefined;
}
