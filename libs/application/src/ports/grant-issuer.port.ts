/** Signs execution grants (I5). The minimal grant of this slice; hardening is its own issue. */
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
