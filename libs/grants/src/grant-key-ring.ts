import type { GrantClaims, GrantIssuer, GrantVerification, GrantVerifier, IssuedGrant } from '@approvals/application';
import type { JSONWebKeySet, JWK } from 'jose';
import { SignJWT, createLocalJWKSet, importJWK } from 'jose';
import { GRANT_ALGORITHM, GRANT_TOKEN_TYPE, checkGrantToken } from '@approvals/sdk';
import type { SigningKeyFile } from '@approvals/keys';
import { openSigningKeys, publicJwk, rotateSigningKeys, signingKeyAt, signsFrom } from '@approvals/keys';

type SigningKey = Awaited<ReturnType<typeof importJWK>>;

export interface GrantKeyRingOptions {
  /** A JWK Set of private Ed25519 keys (`{ "keys": [...] }`); the last key signs, every key verifies. */
  keyFile: string;
  /** Create the file with a fresh key when it does not exist (embedded mode); otherwise a missing file is an error. */
  generateIfMissing: boolean;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export class GrantKeyFileError extends Error {
  override readonly name = 'GrantKeyFileError';
}

const grantKeyFile = (file: string): SigningKeyFile => ({ file, label: 'grant signing keys', prefix: 'grant', error: GrantKeyFileError });

/**
 * The grant signing keys: signs execution grants as EdDSA (Ed25519) JWTs bound to the agent, the
 * action and the request hash (I5), verifies presented grants, and publishes the public keys
 * (`/.well-known/jwks.json`) so executors can verify offline. Rotation adds a key to the file
 * (`rotateGrantKeys`); the newest signs after the next start (or from its signFrom: a staged
 * rotation for replicas), the older ones keep verifying.
 */
export class GrantKeyRing implements GrantIssuer, GrantVerifier {
  private readonly publicSet: JSONWebKeySet;
  private readonly verifyKeys: ReturnType<typeof createLocalJWKSet>;

  private constructor(
    /** Oldest first, each with when it may start signing. */
    private readonly signing: { key: SigningKey; kid: string; from: number }[],
    publicKeys: JWK[],
    private readonly options: GrantKeyRingOptions,
  ) {
    this.publicSet = { keys: publicKeys };
    this.verifyKeys = createLocalJWKSet(this.publicSet);
  }

  static async open(options: GrantKeyRingOptions): Promise<GrantKeyRing> {
    const keys = await openSigningKeys(grantKeyFile(options.keyFile), options.generateIfMissing);
    const signing = await Promise.all(keys.map(async (jwk) => ({ key: await importJWK(jwk, GRANT_ALGORITHM), kid: jwk.kid!, from: signsFrom(jwk) })));
    return new GrantKeyRing(signing, keys.map(publicJwk), options);
  }

  /** The public keys, as `/.well-known/jwks.json` serves them. */
  jwks(): JSONWebKeySet {
    return structuredClone(this.publicSet);
  }

  async issue(claims: GrantClaims): Promise<IssuedGrant> {
    const issuedAt = Math.floor(claims.issuedAt.getTime() / 1000);
    const expiresAt = new Date((issuedAt + this.options.ttlSeconds) * 1000);
    const { key, kid } = signingKeyAt(this.signing, (entry) => entry.from, claims.issuedAt.getTime());
    const token = await new SignJWT({ act: claims.actionId, req: claims.requestHash })
      .setProtectedHeader({ alg: GRANT_ALGORITHM, typ: GRANT_TOKEN_TYPE, kid })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(claims.agentId)
      .setJti(claims.grantId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(key);
    return { token, expiresAt };
  }

  async verify(token: string): Promise<GrantVerification> {
    return checkGrantToken(token, this.verifyKeys, { issuer: this.options.issuer, audience: this.options.audience });
  }
}

/**
 * Adds a new signing key to the key file (creating it if needed) and keeps the newest three, so
 * grants signed before the rotation still verify until they expire. Services sign with the new key
 * after their next start. Returns the new key's kid.
 */
export function rotateGrantKeys(file: string, options: { signFrom?: Date | undefined } = {}): Promise<{ kid: string; kept: string[] }> {
  return rotateSigningKeys(grantKeyFile(file), options);
}
