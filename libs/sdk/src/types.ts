/**
 * The SDK's view of the `approvals.v1` messages it exchanges, as @grpc/proto-loader decodes them
 * (camelCase fields, enums as their names, every field present). `sdk-types.int.spec.ts` checks
 * them against the code generated from the protos, so they cannot drift apart.
 */

export type ActionStatus = 'ACTION_STATUS_UNSPECIFIED' | 'PENDING_POLICY' | 'AWAITING_APPROVAL' | 'APPROVED' | 'DENIED' | 'EXPIRED' | 'CANCELLED';

/** Statuses after which nothing changes the outcome. */
export const finalStatuses: readonly ActionStatus[] = ['APPROVED', 'DENIED', 'EXPIRED', 'CANCELLED'];

export const isFinal = (status: ActionStatus): boolean => finalStatuses.includes(status);

export interface Resource {
  kind: string;
  id: string;
}

/** What an agent asks to do. The agent itself is identified by its credentials, never by a field. */
export interface ActionRequest {
  /** e.g. "db.export": `<domain>.<verb>`, lower case. */
  action: string;
  resource: Resource;
  /** e.g. "prod". */
  environment: string;
  /** A JSON object: what exactly will run (at most 64 KiB as JSON). */
  parameters?: Record<string, unknown> | undefined;
  justification: string;
  /** The model driving the agent, e.g. "gpt-5". */
  model: string;
  /** The human the agent acts for, if any (a known human in the directory). */
  onBehalfOf?: string | undefined;
  dataClassification?: string | undefined;
  /** The agent's run (session, job): RUN-scoped standing approvals cover only it. */
  runId?: string | undefined;
  /**
   * The same key with the same request returns the same action (safe retries); with another
   * request it is refused. The SDK generates one when none is given.
   */
  idempotencyKey?: string | undefined;
}

export interface ApprovalStep {
  group: string;
  minApprovals: number;
}

export interface Vote {
  approverId: string;
  decision: 'VOTE_DECISION_UNSPECIFIED' | 'APPROVE' | 'DENY';
  channel: string;
  comment: string;
  castAt: string;
}

export interface PolicyEvaluation {
  /** ALLOW, DENY or REQUIRE_APPROVAL */
  outcome: string;
  policyVersion: string;
  determiningPolicies: string[];
  reasons: string[];
  evaluatedAt: string;
}

export interface ApprovalProgress {
  steps: ApprovalStep[];
  expiresAt: string;
  votes: Vote[];
  denyEndsRequest: boolean;
  standingMaxSeconds: number;
  breakGlassGroups: string[];
  channels: string[];
}

export interface Grant {
  grantId: string;
  /** The execution grant: a compact JWS (EdDSA) bound to the agent and the approved request. */
  token: string;
  expiresAt: string;
  redeemedAt: string;
  revokedAt: string;
}

export interface Execution {
  grantId: string;
  status: 'EXECUTION_STATUS_UNSPECIFIED' | 'SUCCEEDED' | 'FAILED';
  detail: string;
  reportedAt: string;
}

export interface StandingApproval {
  scope: string;
  runId: string;
  approvedBy: string[];
  grantedAt: string;
  expiresAt: string;
  revokedAt: string;
  revokedBy: string;
}

export interface BreakGlass {
  invokedBy: string;
  justification: string;
  invokedAt: string;
  reviewDueAt: string;
  reviewGroups: string[];
  reviewedBy: string;
  verdict: string;
  reviewedAt: string;
}

/** The current state of one action, folded from its ledger stream. Empty strings mean "not set". */
export interface ActionView {
  actionId: string;
  status: ActionStatus;
  agentId: string;
  model: string;
  onBehalfOf: string;
  action: string;
  resource: Resource | null;
  environment: string;
  dataClassification: string;
  /** The parameters in their canonical (RFC 8785) form: what the grant binds. */
  parametersJson: string;
  justification: string;
  idempotencyKey: string;
  requestedAt: string;
  evaluation: PolicyEvaluation | null;
  approval: ApprovalProgress | null;
  decidedAt: string;
  reason: string;
  grant: Grant | null;
  execution: Execution | null;
  revision: string;
  runId: string;
  approvedVia: string;
  standingApprovalOf: string;
  standingApproval: StandingApproval | null;
  breakGlass: BreakGlass | null;
  /** SHA-256 (hex) of the RFC 8785 form of the request: what a grant binds. */
  requestHash: string;
}

/** Why a redemption was refused (recorded in the ledger), or INVALID_SIGNATURE for a grant that does not verify. */
export type GrantRejection = 'REPLAYED' | 'EXPIRED' | 'REVOKED' | 'PARAMETERS_MISMATCH' | 'WRONG_AGENT' | 'UNKNOWN_GRANT' | 'NOT_APPROVED' | 'INVALID_SIGNATURE';
