import { readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify } from 'jose';

/**
 * Verifies the bearer JWTs callers present (agents and people), following RFC 8725: the algorithms
 * are an explicit list of asymmetric ones (never `none`, never an HMAC that a public key could be
 * abused as), the issuer and audience must match, `exp` is required and checked with a bounded
 * clock skew, and the keys come from the configured issuer's JWKS (a file or a URL), never from
 * the token itself.
 */

/** Asymmetric JWS algorithms a configuration may allow (RFC 7518, RFC 8037). */
export const ALLOWED_JWT_ALGORITHMS = ['EdDSA', 'ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;

export interface BearerTokenOptions {
  issuer: string;
  audience: string;
  algorithms: readonly string[];
  clockSkewSeconds: number;
  /** Exactly one of the two. */
  jwksFile?: string | undefined;
  jwksUrl?: string | undefined;
}

export type BearerVerification = { ok: true; subject: string } | { ok: false; detail: string };

export class BearerTokenVerifier {
  private constructor(
    private readonly keys: Parameters<typeof jwtVerify>[1],
    private readonly options: BearerTokenOptions,
  ) {}

  static open(options: BearerTokenOptions): BearerTokenVerifier {
    const bad = options.algorithms.filter((alg) => !(ALLOWED_JWT_ALGORITHMS as readonly string[]).includes(alg));
    if (options.algorithms.length === 0 || bad.length > 0) {
      throw new Error(`JWT algorithms must be asymmetric ones from ${ALLOWED_JWT_ALGORITHMS.join(', ')}; refused: ${bad.join(', ') || '(none listed)'}`);
    }
    if ((options.jwksFile === undefined) === (options.jwksUrl === undefined)) throw new Error('give exactly one of a JWKS file and a JWKS URL');
    const keys = options.jwksFile
      ? createLocalJWKSet(JSON.parse(readFileSync(options.jwksFile, 'utf8')) as JSONWebKeySet)
      : createRemoteJWKSet(new URL(options.jwksUrl!), { timeoutDuration: 5000, cooldownDuration: 30_000 });
    return new BearerTokenVerifier(keys, options);
  }

  async verify(token: string): Promise<BearerVerification> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...this.options.algorithms],
        clockTolerance: this.options.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      if (typeof payload.sub !== 'string' || payload.sub === '') return { ok: false, detail: 'the token names no subject' };
      return { ok: true, subject: payload.sub };
    } catch (error) {
      return { ok: false, detail: describe(error) };
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's ${error.claim} claim is wrong (${error.reason})`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm that is not allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token is signed by a key the issuer does not publish';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return 'the issuer keys cannot be read right now';
  if (error instanceof errors.JOSEError) return `the token is not valid (${error.code})`;
  return 'the token is not valid';
}
