import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { z } from 'zod';

/**
 * Microsoft Bot Framework, as a Teams bot needs it, without the SDK: incoming activities are
 * authenticated exactly as the Bot Connector service requires (a bearer JWT issued by
 * https://api.botframework.com for the bot's app id, signed by a key from the OpenID metadata's
 * JWKS, checked with five minutes of clock skew, whose `serviceurl` claim matches the activity's
 * `serviceUrl`), and outgoing calls carry a token obtained with the app's credentials.
 */

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
export const BOT_FRAMEWORK_OPENID_METADATA = 'https://login.botframework.com/v1/.well-known/openidconfiguration';
export const BOT_FRAMEWORK_TOKEN_URL = 'https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token';
const CLOCK_SKEW_SECONDS = 300;

export type BotRequestCheck = { ok: true } | { ok: false; detail: string };

export class BotFrameworkAuthenticator {
  private keys: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(
    private readonly appId: string,
    private readonly openIdMetadataUrl: string = BOT_FRAMEWORK_OPENID_METADATA,
  ) {}

  async verify(authorization: string | undefined, serviceUrl: string | undefined): Promise<BotRequestCheck> {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (!token) return { ok: false, detail: 'the request carries no bearer token' };
    try {
      const { payload } = await jwtVerify(token, await this.jwks(), {
        issuer: BOT_FRAMEWORK_ISSUER,
        audience: this.appId,
        algorithms: ['RS256'],
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp'],
      });
      if (typeof payload['serviceurl'] !== 'string' || payload['serviceurl'] !== serviceUrl) {
        return { ok: false, detail: "the token's serviceurl claim does not match the activity's serviceUrl" };
      }
      return { ok: true };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, detail: 'the token has expired' };
      if (error instanceof errors.JWTClaimValidationFailed) return { ok: false, detail: `the token's ${error.claim} claim is wrong` };
      if (error instanceof errors.JOSEError) return { ok: false, detail: `the token does not verify (${error.code})` };
      return { ok: false, detail: `the token cannot be checked: ${(error as Error).message}` };
    }
  }

  /** The signing keys, from the jwks_uri the OpenID metadata names (fetched once, then cached by jose). */
  private async jwks(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.keys) return this.keys;
    const response = await fetch(this.openIdMetadataUrl, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`OpenID metadata answered ${response.status}`);
    const { jwks_uri: jwksUri } = (await response.json()) as { jwks_uri?: string };
    if (!jwksUri) throw new Error('the OpenID metadata names no jwks_uri');
    this.keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 5000, cooldownDuration: 30_000 });
    return this.keys;
  }
}

/** Calls the Bot Connector REST API (send and update activities) with a cached app token. */
export class BotConnectorClient {
  private token: { value: string; until: number } | undefined;

  constructor(
    private readonly credentials: { appId: string; appPassword: string; tokenUrl?: string | undefined },
  ) {}

  async sendActivity(serviceUrl: string, conversationId: string, activity: Record<string, unknown>): Promise<string> {
    const response = await this.call('POST', `${trim(serviceUrl)}/v3/conversations/${encodeURIComponent(conversationId)}/activities`, activity);
    const { id } = (await response.json()) as { id?: string };
    if (!id) throw new Error('the Bot Connector answered no activity id');
    return id;
  }

  async updateActivity(serviceUrl: string, conversationId: string, activityId: string, activity: Record<string, unknown>): Promise<void> {
    await this.call('PUT', `${trim(serviceUrl)}/v3/conversations/${encodeURIComponent(conversationId)}/activities/${encodeURIComponent(activityId)}`, {
      ...activity,
      id: activityId,
    });
  }

  private async call(method: string, url: string, body: unknown): Promise<Response> {
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${await this.accessToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`the Bot Connector answered ${response.status} to ${method}`);
    return response;
  }

  /** OAuth 2.0 client credentials for the Bot Connector scope; renewed five minutes before it ends. */
  private async accessToken(): Promise<string> {
    if (this.token && this.token.until > Date.now()) return this.token.value;
    const response = await fetch(this.credentials.tokenUrl ?? BOT_FRAMEWORK_TOKEN_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.credentials.appId,
        client_secret: this.credentials.appPassword,
        scope: 'https://api.botframework.com/.default',
      }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`the token endpoint answered ${response.status}`);
    const { access_token: value, expires_in: seconds } = (await response.json()) as { access_token?: string; expires_in?: number };
    if (!value) throw new Error('the token endpoint answered no access_token');
    this.token = { value, until: Date.now() + Math.max(60, (seconds ?? 3600) - 300) * 1000 };
    return value;
  }
}

function trim(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Where the bot posts: a Teams conversation (channel or chat) it was installed in, by name. */
export interface TeamsConversation {
  name: string;
  serviceUrl: string;
  conversationId: string;
}

const conversationsSchema = z.strictObject({
  $comment: z.string().optional(),
  conversations: z.array(
    z.strictObject({
      name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: 'name must be lower-case letters, digits, ".", "_" or "-"' }),
      serviceUrl: z.url({ error: 'serviceUrl must be a URL' }),
      conversationId: z.string().min(1),
    }),
  ),
});

/** Reads APPROVALS_TEAMS_CONVERSATIONS_FILE; errors name the entry and field. */
export function loadTeamsConversations(file: string): TeamsConversation[] {
  const parsed = conversationsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data.conversations;
}
