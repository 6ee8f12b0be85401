import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { GrantClaims, GrantIssuer, IssuedGrant } from '@approvals/application';
import type { JWK } from 'jose';
import { SignJWT, exportJWK, generateKeyPair, importJWK } from 'jose';

type SigningKey = Awaited<ReturnType<typeof importJWK>>;

export interface GrantIssuerOptions {
  /** Where the signing key lives; generated and persisted on first start in embedded mode. */
  keyFile: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** Signs execution grants as EdDSA (Ed25519) JWTs bound to the agent and the request hash (I5). */
export class Ed25519GrantIssuer implements GrantIssuer {
  private constructor(
    private readonly key: SigningKey,
    readonly publicJwk: JWK,
    private readonly options: GrantIssuerOptions,
  ) {}

  static async open(options: GrantIssuerOptions): Promise<Ed25519GrantIssuer> {
    let privateJwk: JWK;
    if (existsSync(options.keyFile)) {
      privateJwk = JSON.parse(readFileSync(options.keyFile, 'utf8')) as JWK;
    } else {
      const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      privateJwk = { ...(await exportJWK(privateKey)), kid: `grant-${Date.now().toString(36)}`, alg: 'EdDSA', use: 'sig' };
      mkdirSync(dirname(options.keyFile), { recursive: true });
      writeFileSync(options.keyFile, JSON.stringify(privateJwk), { mode: 0o600 });
    }
    const key = await importJWK(privateJwk, 'EdDSA');
    const { d: _d, ...publicJwk } = privateJwk;
    return new Ed25519GrantIssuer(key, publicJwk, options);
  }

  async issue(claims: GrantClaims): Promise<IssuedGrant> {
    const issuedAt = Math.floor(claims.issuedAt.getTime() / 1000);
    const expiresAt = new Date((issuedAt + this.options.ttlSeconds) * 1000);
    const token = await new SignJWT({ act: claims.actionId, req: claims.requestHash })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'grant+jwt', ...(this.publicJwk.kid ? { kid: this.publicJwk.kid } : {}) })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(claims.agentId)
      .setJti(claims.grantId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }
}
