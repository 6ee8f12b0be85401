import type { RequestActionRequest } from '@approvals/contracts';
import { canonicalJson, sha256Hex, validateActionRequest } from '@approvals/application';
import type { JSONWebKeySet } from 'jose';
import { createLocalJWKSet } from 'jose';
import { verifyGrantToken } from './grant-key-ring';

/**
 * For executors: check an execution grant before running the action it approves. Offline, against
 * the published keys (`/.well-known/jwks.json`): signature, issuer, audience, expiry, the agent,
 * and that the request about to run is the approved one. Then online, by redeeming it
 * (`IntakeService.RedeemGrant`), which consumes it: only the first redemption succeeds (I5).
 */

export const GRANT_ISSUER = 'approvals';
export const GRANT_AUDIENCE = 'approvals-executor';

export type GrantCheckFailure = 'INVALID' | 'EXPIRED' | 'WRONG_AGENT' | 'PARAMETERS_MISMATCH';

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
  /** For tests: the time to check expiry against. */
  now?: Date | undefined;
}

/** Verifies a grant offline; throws a GrantCheckError that says why it must not be honoured. */
export async function verifyGrant(token: string, expected: GrantExpectations): Promise<VerifiedGrant> {
  const checked = await verifyGrantToken(token, createLocalJWKSet(expected.jwks), {
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

/**
 * The hash a grant binds: SHA-256 of the RFC 8785 canonical form of the request exactly as the
 * intake normalised it when `agentId` asked (the same validation, so equal requests hash alike).
 */
export function requestHashOf(agentId: string, request: RequestActionRequest): string {
  const validated = validateActionRequest(agentId, withDefaults(request), () => true);
  if (!validated.ok) {
    throw new GrantCheckError('PARAMETERS_MISMATCH', `not a valid request: ${validated.violations.map((v) => `${v.field}: ${v.description}`).join('; ')}`);
  }
  return sha256Hex(canonicalJson(validated.request));
}

/** Reads the published keys, e.g. from `http://127.0.0.1:8080/.well-known/jwks.json`. */
export async function fetchGrantKeys(url: string, fetchImpl: typeof fetch = fetch): Promise<JSONWebKeySet> {
  const response = await fetchImpl(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const body = (await response.json()) as JSONWebKeySet;
  if (!Array.isArray(body.keys)) throw new Error(`${url} did not answer a JWK Set`);
  return body;
}

function withDefaults(request: RequestActionRequest) {
  return {
    model: request.model ?? '',
    onBehalfOf: request.onBehalfOf ?? '',
    action: request.action ?? '',
    resource: request.resource ? { kind: request.resource.kind ?? '', id: request.resource.id ?? '' } : null,
    environment: request.environment ?? '',
    dataClassification: request.dataClassification ?? '',
    parametersJson: request.parametersJson ?? '',
    justification: request.justification ?? '',
    idempotencyKey: request.idempotencyKey ?? '',
    runId: request.runId ?? '',
  };
}
