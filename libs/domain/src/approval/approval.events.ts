/** Events of the approval aggregate: one stream per action (`action-<actionId>`). */

export type PolicyOutcome = 'ALLOW' | 'DENY' | 'REQUIRE_APPROVAL';
export type VoteDecision = 'APPROVE' | 'DENY';
export type FinalOutcome = 'APPROVED' | 'DENIED' | 'EXPIRED' | 'CANCELLED';

/** A JSON value, as carried in action parameters. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface ResourceRef {
  kind: string;
  id: string;
}

/** Who may approve and how many: every step must be met, and one human fills at most one slot. */
export interface ApprovalRequirement {
  steps: ApprovalStep[];
  /** Seconds the approval request stays open before it expires (fail closed). */
  ttlSeconds: number;
  /** When true (the default), a single DENY vote from an eligible approver denies the action. */
  denyEndsRequest: boolean;
}

export interface ApprovalStep {
  group: string;
  minApprovals: number;
}

export interface ActionRequest {
  agentId: string;
  model: string;
  onBehalfOf?: string | undefined;
  action: string;
  resource: ResourceRef;
  environment: string;
  dataClassification?: string | undefined;
  parameters: { [key: string]: JsonValue };
  justification: string;
  idempotencyKey: string;
}

export interface ActionRequested {
  type: 'ActionRequested';
  data: {
    actionId: string;
    request: ActionRequest;
    /** SHA-256 of the canonical (RFC 8785) form of `request`: equal payloads, equal hash. */
    requestHash: string;
    requestedAt: string;
    /** The human accountable for the agent (from the directory): never an approver of it (I1). */
    agentOwner?: string | undefined;
  };
}

export interface PolicyEvaluated {
  type: 'PolicyEvaluated';
  data: {
    actionId: string;
    outcome: PolicyOutcome;
    policyVersion: string;
    determiningPolicies: string[];
    reasons: string[];
    requirement?: ApprovalRequirement | undefined;
    evaluatedAt: string;
  };
}

export interface ApprovalRequested {
  type: 'ApprovalRequested';
  data: {
    actionId: string;
    requirement: ApprovalRequirement;
    requestedAt: string;
    expiresAt: string;
  };
}

export interface ApprovalNotified {
  type: 'ApprovalNotified';
  data: { actionId: string; channel: string; target: string; notifiedAt: string };
}

export interface Approver {
  id: string;
  /** The directory groups the approver belongs to, resolved at the edge when the vote arrives. */
  groups: string[];
  channel: string;
}

export interface VoteCast {
  type: 'VoteCast';
  data: {
    actionId: string;
    approverId: string;
    channel: string;
    decision: VoteDecision;
    /** The required groups this approver belongs to (the slots they may fill). */
    groups: string[];
    comment?: string | undefined;
    castAt: string;
  };
}

export type VoteRejectionReason =
  | 'SELF_APPROVAL'
  | 'NOT_ELIGIBLE'
  | 'DUPLICATE_VOTE'
  | 'EXPIRED'
  | 'ALREADY_DECIDED'
  | 'NOT_AWAITING_APPROVAL';

export interface VoteRejected {
  type: 'VoteRejected';
  data: {
    actionId: string;
    approverId: string;
    channel: string;
    decision: VoteDecision;
    reason: VoteRejectionReason;
    detail: string;
    attemptedAt: string;
  };
}

export interface ActionApproved {
  type: 'ActionApproved';
  data: {
    actionId: string;
    /** Approver ids whose votes met the requirement; empty when the policy allowed it outright. */
    approvedBy: string[];
    by: 'POLICY' | 'APPROVERS';
    approvedAt: string;
  };
}

export interface ActionDenied {
  type: 'ActionDenied';
  data: {
    actionId: string;
    by: 'POLICY' | 'APPROVER';
    deniedBy?: string | undefined;
    reason: string;
    deniedAt: string;
  };
}

export interface ActionExpired {
  type: 'ActionExpired';
  data: {
    actionId: string;
    expiresAt: string;
    expiredAt: string;
    /** Why, when it is not the approval deadline (e.g. no policy evaluation could be obtained). */
    reason?: string | undefined;
  };
}

export interface ActionCancelled {
  type: 'ActionCancelled';
  data: { actionId: string; cancelledBy: string; reason: string; cancelledAt: string };
}

export interface ExecutionGrantIssued {
  type: 'ExecutionGrantIssued';
  data: {
    actionId: string;
    grantId: string;
    agentId: string;
    requestHash: string;
    /** The signed grant (compact JWS). Read models must not expose it. */
    token: string;
    issuedAt: string;
    expiresAt: string;
  };
}

export interface ExecutionReported {
  type: 'ExecutionReported';
  data: {
    actionId: string;
    grantId: string;
    status: 'SUCCEEDED' | 'FAILED';
    detail: string;
    reportedAt: string;
  };
}

export type ApprovalEvent =
  | ActionRequested
  | PolicyEvaluated
  | ApprovalRequested
  | ApprovalNotified
  | VoteCast
  | VoteRejected
  | ActionApproved
  | ActionDenied
  | ActionExpired
  | ActionCancelled
  | ExecutionGrantIssued
  | ExecutionReported;

export type ApprovalEventType = ApprovalEvent['type'];

export const approvalEventTypes: readonly ApprovalEventType[] = [
  'ActionRequested',
  'PolicyEvaluated',
  'ApprovalRequested',
  'ApprovalNotified',
  'VoteCast',
  'VoteRejected',
  'ActionApproved',
  'ActionDenied',
  'ActionExpired',
  'ActionCancelled',
  'ExecutionGrantIssued',
  'ExecutionReported',
];

/** The events that end an action (I3): a stream holds at most one of them. */
export const finalOutcomeEventTypes: ReadonlySet<string> = new Set<ApprovalEventType>([
  'ActionApproved',
  'ActionDenied',
  'ActionExpired',
  'ActionCancelled',
]);
