import type { JSONWebKeySet } from 'jose';
import { createLocalJWKSet, decodeJwt, errors, jwtVerify } from 'jose';

/**
 * Execution grants as whatever runs an action checks them: offline against the published keys
 * (`/.well-known/jwks.json`), before redeeming them online. The service checks a presented grant
 * with the same `checkGrantToken`, so the two cannot disagree on what a valid grant is.
 */

export const GRANT_ISSUER = 'approvals';
export const GRANT_AUDIENCE = 'approvals-executor';
export const GRANT_TOKEN_TYPE = 'grant+jwt';
export const GRANT_ALGORITHM = 'EdDSA';

/** A set of public keys to check grants against (jose's local JWK Set). */
export type GrantKeys = ReturnType<typeof createLocalJWKSet>;

/** The result of checking a token's signature and claims, before any binding is compared. */
export type GrantTokenCheck =
  | { ok: true; grantId: string; actionId: string; agentId: string; requestHash: string; expired: boolean }
  | { ok: false; detail: string; claimed?: { grantId?: string; actionId?: string } | undefined };

/**
 * Verifies a grant's signature (EdDSA only, a key from `keys` by kid), type, issuer and audience,
 * and reads its claims. An expired grant with a good signature checks with `expired: true`, so the
 * use after expiry can be refused and recorded rather than mistaken for a forgery.
 */
export async function checkGrantToken(
  token: string,
  keys: GrantKeys,
  expected: { issuer: string; audience: string; currentDate?: Date | undefined },
): Promise<GrantTokenCheck> {
  const options = {
    issuer: expected.issuer,
    audience: expected.audience,
    algorithms: [GRANT_ALGORITHM],
    typ: GRANT_TOKEN_TYPE,
    requiredClaims: ['sub', 'jti', 'exp', 'act', 'req'],
    ...(expected.currentDate ? { currentDate: expected.currentDate } : {}),
  };
  let payload: Record<string, unknown>;
  let expired = false;
  try {
    ({ payload } = await jwtVerify(token, keys, options));
  } catch (error) {
    // jose checks the signature before the claims, so an expired token's payload is authentic.
    if (error instanceof errors.JWTExpired) {
      payload = error.payload;
      expired = true;
    } else {
      return { ok: false, detail: describeFailure(error), claimed: claimedIds(token) };
    }
  }
  const claims = { grantId: payload['jti'], actionId: payload['act'], agentId: payload['sub'], requestHash: payload['req'] };
  if (Object.values(claims).some((value) => typeof value !== 'string' || value === '')) {
    return { ok: false, detail: 'the grant lacks one of its claims (jti, act, sub, req)', claimed: claimedIds(token) };
  }
  return { ok: true, ...(claims as Record<keyof typeof claims, string>), expired };
}

function describeFailure(error: unknown): string {
  if (error instanceof errors.JWKSNoMatchingKey) return 'it is signed by a key this service did not issue it with (unknown kid)';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'its signature does not verify';
  if (error instanceof errors.JOSEAlgNotAllowed) return `its algorithm is not ${GRANT_ALGORITHM}`;
  if (error instanceof errors.JWTClaimValidationFailed) return `its ${error.claim} claim is wrong (${error.reason})`;
  if (error instanceof errors.JOSEError) return `it is not a valid grant (${error.code})`;
  return 'it is not a valid grant';
}

/** The grant and action an unverified token names, to record a refusal against. */
function claimedIds(token: string): { grantId?: string; actionId?: string } | undefined {
  const claimed = claimedBy(token);
  return claimed && { ...(claimed.grantId ? { grantId: claimed.grantId } : {}), ...(claimed.actionId ? { actionId: claimed.actionId } : {}) };
}

/** What an untrusted token says about itself, if it can be read at all (never trust it). */
export function claimedBy(token: string): { grantId?: string; actionId?: string; requestHash?: string } | undefined {
  try {
    const payload = decodeJwt(token);
    return {
      ...(typeof payload.jti === 'string' ? { grantId: payload.jti } : {}),
      ...(typeof payload['act'] === 'string' ? { actionId: payload['act'] } : {}),
      ...(typeof payload['req'] === 'string' ? { requestHash: payload['req'] } : {}),
    };
  } catch {
    return undefined;
  }
}

export type GrantCheckFailure = 'INVALID' | 'EXPIRED' | 'WRONG_AGENT' | 'PARAMETERS_MISMATCH';

/** Why a grant must not be honoured. */
export class GrantCheckError extends Error {
  override readonly name = 'GrantCheckError';
  constructor(
    readonly reason: GrantCheckFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface VerifiedGrant {
  grantId: string;
  actionId: string;
  agentId: string;
  requestHash: string;
}

export interface GrantExpectations {
  /** The published keys of the approvals service. */
  jwks: JSONWebKeySet;
  /** The agent that asks to run the action. */
  agentId: string;
  /** The hash of the request about to run (`requestHashOf`). */
  requestHash: string;
  issuer?: string | undefined;
  audience?: string | undefined;
  /** The time to check expiry against (tests). */
  now?: Date | undefined;
}

/** For executors: verifies a grant offline; throws a GrantCheckError that says why it must not be honoured. */
export async function verifyGrant(token: string, expected: GrantExpectations): Promise<VerifiedGrant> {
  const checked = await checkGrantToken(token, createLocalJWKSet(expected.jwks), {
    issuer: expected.issuer ?? GRANT_ISSUER,
    audience: expected.audience ?? GRANT_AUDIENCE,
    currentDate: expected.now,
  });
  if (!checked.ok) throw new GrantCheckError('INVALID', `the grant must not be honoured: ${checked.detail}`);
  if (checked.expired) throw new GrantCheckError('EXPIRED', `grant ${checked.grantId} has expired; the agent must request the action again`);
  if (checked.agentId !== expected.agentId) {
    throw new GrantCheckError('WRONG_AGENT', `grant ${checked.grantId} was issued to ${checked.agentId}, not to ${expected.agentId}`);
  }
  if (checked.requestHash !== expected.requestHash) {
    throw new GrantCheckError('PARAMETERS_MISMATCH', `grant ${checked.grantId} approves another request (hash ${checked.requestHash}), not this one (${expected.requestHash})`);
  }
  const { grantId, actionId, agentId, requestHash } = checked;
  return { grantId, actionId, agentId, requestHash };
}

/** Reads the published keys, e.g. from `http://127.0.0.1:8080/.well-known/jwks.json`. */
export async function fetchGrantKeys(url: string, options: { signal?: AbortSignal; fetch?: typeof fetch } = {}): Promise<JSONWebKeySet> {
  const response = await (options.fetch ?? fetch)(url, { headers: { accept: 'application/json' }, signal: options.signal ?? AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const body = (await response.json()) as JSONWebKeySet;
  if (!Array.isArray(body.keys)) throw new Error(`${url} did not answer a JWK Set`);
  return body;
}
