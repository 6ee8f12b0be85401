/** Signs execution grants (I5): EdDSA JWTs bound to the agent, the action and the request hash. */
export interface GrantClaims {
  grantId: string;
  actionId: string;
  agentId: string;
  requestHash: string;
  issuedAt: Date;
}

export interface IssuedGrant {
  token: string;
  expiresAt: Date;
}

export interface GrantIssuer {
  issue(claims: GrantClaims): Promise<IssuedGrant>;
}

/** What the signature check of a presented grant found. */
export type GrantVerification =
  | {
      ok: true;
      grantId: string;
      actionId: string;
      agentId: string;
      requestHash: string;
      /** The signature is good but the token's `exp` has passed: a use after expiry, to be refused and recorded. */
      expired: boolean;
    }
  | {
      ok: false;
      /** Why it cannot be trusted: bad signature, unknown key, wrong algorithm, issuer or audience, malformed. */
      detail: string;
      /** What the (untrusted) token claims, for recording the attempt against the action it names. */
      claimed?: { grantId?: string | undefined; actionId?: string | undefined } | undefined;
    };

/** Checks grants against the keys that signed them (the issuer's own key ring). */
export interface GrantVerifier {
  verify(token: string): Promise<GrantVerification>;
}
