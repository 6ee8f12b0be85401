import * as oidc from 'openid-client';

export interface ConsoleOidcOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where the console is reached, e.g. https://approvals.example.com (the callback is <url>/console/callback). */
  consoleUrl: string;
  /** The ID token claim that names the person: `email` (matched to the directory's e-mail) or `sub` (its id). */
  claim: 'email' | 'sub';
}

/** What a sign-in in progress must remember between the redirect and the callback. */
export interface PendingSignIn {
  verifier: string;
  state: string;
  nonce: string;
}

const loopback = (url: string) => /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(url);

/**
 * Sign-in with the organisation's OpenID Connect provider, with the certified openid-client:
 * authorization code flow with PKCE (S256), state and nonce; discovery from the issuer. Plain
 * http is allowed only for a provider on loopback (tests, a provider beside the console).
 */
export class ConsoleOidc {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(readonly options: ConsoleOidcOptions) {}

  get callbackUrl(): string {
    return `${this.options.consoleUrl.replace(/\/+$/, '')}/console/callback`;
  }

  async start(): Promise<{ url: string; pending: PendingSignIn }> {
    const config = await this.config();
    const pending = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.callbackUrl,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /** The claim naming the person, once the provider's answer checks out; throws when it does not. */
  async finish(callback: URL, pending: PendingSignIn): Promise<string> {
    const tokens = await oidc.authorizationCodeGrant(await this.config(), callback, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the provider returned no ID token');
    let value = claims[this.options.claim];
    // Providers that conform ID tokens to the minimum keep scope claims such as email for UserInfo.
    if (value === undefined && this.options.claim !== 'sub') {
      const userInfo = await oidc.fetchUserInfo(await this.config(), tokens.access_token, claims.sub);
      value = userInfo[this.options.claim];
    }
    if (typeof value !== 'string' || value === '') throw new Error(`neither the ID token nor UserInfo has the ${this.options.claim} claim`);
    return value;
  }

  private config(): Promise<oidc.Configuration> {
    this.configuration ??= oidc
      .discovery(
        new URL(this.options.issuer),
        this.options.clientId,
        this.options.clientSecret,
        undefined,
        loopback(this.options.issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        this.configuration = undefined; // try discovery again on the next sign-in
        throw error;
      });
    return this.configuration;
  }
}
