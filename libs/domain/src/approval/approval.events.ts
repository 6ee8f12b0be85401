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
  /** Where the request is delivered, as `<kind>:<target>` (e.g. `slack:#data-approvals`), besides the defaults. */
  channels?: string[] | undefined;
  /** Present when the policy lets the approvers grant a standing approval, at most this long. */
  standing?: StandingAllowance | undefined;
  /** Present when the policy offers an emergency path for this request (never otherwise). */
  breakGlass?: BreakGlassAllowance | undefined;
  /**
   * When nobody decides in time, these groups are asked too, in order: after `afterSeconds` from
   * the request, members of `group` may stand in for any required group (each person still once).
   */
  escalation?: EscalationStep[] | undefined;
}

export interface EscalationStep {
  afterSeconds: number;
  group: string;
}

export interface StandingAllowance {
  /** The longest a standing approval granted under this requirement may last. */
  maxSeconds: number;
}

export interface BreakGlassAllowance {
  /** Who may invoke it: members of any of these groups. */
  groups: string[];
  /** How soon after the fact an approver of the required groups must review it. */
  reviewWithinSeconds: number;
}

/**
 * What an approver asks for with an APPROVE vote: that identical requests (same agent and model,
 * action, resource, environment, classification, on-behalf-of and parameters) are approved without asking
 * for `seconds`, or (RUN) only those that also carry this request's run id.
 */
export interface StandingRequest {
  scope: 'DURATION' | 'RUN';
  seconds: number;
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
  /** The agent's run (session, job) this request belongs to; what a RUN-scoped standing approval covers. */
  runId?: string | undefined;
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
    /** SHA-256 of the canonical request the policies saw (absent in events recorded before it was kept). */
    requestHash?: string | undefined;
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

/** Nobody decided in time: the policy's next fallback group may now approve too. */
export interface ApprovalEscalated {
  type: 'ApprovalEscalated';
  data: { actionId: string; group: string; afterSeconds: number; escalatedAt: string };
}

export interface ApprovalNotified {
  type: 'ApprovalNotified';
  data: { actionId: string; channel: string; target: string; notifiedAt: string };
}

/** A delivery that failed; it is retried with backoff until it succeeds (ApprovalNotified) or the request ends. */
export interface ApprovalNotificationFailed {
  type: 'ApprovalNotificationFailed';
  data: { actionId: string; channel: string; error: string; failedAt: string };
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
    /** The standing approval this approver asked for with the vote, if any. */
    standing?: StandingRequest | undefined;
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

export type ApprovedBy = 'POLICY' | 'APPROVERS' | 'STANDING_APPROVAL' | 'BREAK_GLASS';

export interface ActionApproved {
  type: 'ActionApproved';
  data: {
    actionId: string;
    /**
     * Who approved: the approvers whose votes met the requirement, the approvers of the standing
     * approval that covers it, or the human who broke the glass; empty when the policy allowed it.
     */
    approvedBy: string[];
    by: ApprovedBy;
    /** With STANDING_APPROVAL: the action whose approval granted the standing approval (cited, never copied). */
    standingApprovalOf?: string | undefined;
    approvedAt: string;
  };
}

/** An approver who counted towards a standing approval, with the required groups they filled. */
export interface StandingApprover {
  approverId: string;
  groups: string[];
}

/** Recorded in the stream of the action whose approval granted it, right after its ActionApproved. */
export interface StandingApprovalGranted {
  type: 'StandingApprovalGranted';
  data: {
    actionId: string;
    scope: StandingRequest['scope'];
    /** With RUN scope: the run it is limited to. */
    runId?: string | undefined;
    approvers: StandingApprover[];
    policyVersion: string;
    determiningPolicies: string[];
    grantedAt: string;
    expiresAt: string;
  };
}

export interface StandingApprovalRevoked {
  type: 'StandingApprovalRevoked';
  data: { actionId: string; revokedBy: string; channel: string; reason: string; revokedAt: string };
}

/** The emergency path was taken: the action is approved without waiting and must be reviewed. */
export interface BreakGlassInvoked {
  type: 'BreakGlassInvoked';
  data: {
    actionId: string;
    invokedBy: string;
    channel: string;
    justification: string;
    /** True when the invoker is the human the action is requested for, or the agent's owner. */
    invokedByRequester: boolean;
    /** The groups whose approvers are told and one of whom must review it. */
    reviewGroups: string[];
    invokedAt: string;
    reviewDueAt: string;
  };
}

export type BreakGlassRejectionReason = 'NOT_OFFERED' | 'NOT_ELIGIBLE' | 'SELF_APPROVAL' | 'SELF_REVIEW';

/** A refused attempt to break the glass or to review it: security relevant, so recorded. */
export interface BreakGlassRejected {
  type: 'BreakGlassRejected';
  data: {
    actionId: string;
    attemptedBy: string;
    channel: string;
    attempt: 'INVOKE' | 'REVIEW';
    reason: BreakGlassRejectionReason;
    detail: string;
    attemptedAt: string;
  };
}

/** One approver of the review groups was told that the glass was broken. */
export interface BreakGlassNotified {
  type: 'BreakGlassNotified';
  data: { actionId: string; channel: string; recipient: string; notifiedAt: string };
}

export type BreakGlassVerdict = 'JUSTIFIED' | 'UNJUSTIFIED';

export interface BreakGlassReviewed {
  type: 'BreakGlassReviewed';
  data: { actionId: string; reviewedBy: string; channel: string; verdict: BreakGlassVerdict; comment: string; reviewedAt: string };
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

/** The grant was presented and consumed: the action may run now, once. */
export interface ExecutionGrantRedeemed {
  type: 'ExecutionGrantRedeemed';
  data: { actionId: string; grantId: string; redeemedBy: string; requestHash: string; redeemedAt: string };
}

export type GrantRejectionReason =
  | 'INVALID_SIGNATURE'
  | 'NOT_APPROVED'
  | 'UNKNOWN_GRANT'
  | 'WRONG_AGENT'
  | 'PARAMETERS_MISMATCH'
  | 'REVOKED'
  | 'EXPIRED'
  | 'REPLAYED';

/** A grant that was presented and refused (I5): security relevant, so recorded. */
export interface GrantRedemptionRejected {
  type: 'GrantRedemptionRejected';
  data: { actionId: string; grantId: string; presentedBy: string; reason: GrantRejectionReason; detail: string; attemptedAt: string };
}

/** The agent withdrew an approved action before using its grant: the outcome stands (I3), the grant is void. */
export interface ExecutionGrantRevoked {
  type: 'ExecutionGrantRevoked';
  data: { actionId: string; grantId: string; revokedBy: string; reason: string; revokedAt: string };
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
  | ApprovalEscalated
  | ApprovalNotified
  | ApprovalNotificationFailed
  | VoteCast
  | VoteRejected
  | ActionApproved
  | ActionDenied
  | ActionExpired
  | ActionCancelled
  | ExecutionGrantIssued
  | ExecutionReported
  | ExecutionGrantRedeemed
  | GrantRedemptionRejected
  | ExecutionGrantRevoked
  | StandingApprovalGranted
  | StandingApprovalRevoked
  | BreakGlassInvoked
  | BreakGlassRejected
  | BreakGlassNotified
  | BreakGlassReviewed;

export type ApprovalEventType = ApprovalEvent['type'];

export const approvalEventTypes: readonly ApprovalEventType[] = [
  'ActionRequested',
  'PolicyEvaluated',
  'ApprovalRequested',
  'ApprovalEscalated',
  'ApprovalNotified',
  'ApprovalNotificationFailed',
  'VoteCast',
  'VoteRejected',
  'ActionApproved',
  'ActionDenied',
  'ActionExpired',
  'ActionCancelled',
  'ExecutionGrantIssued',
  'ExecutionReported',
  'ExecutionGrantRedeemed',
  'GrantRedemptionRejected',
  'ExecutionGrantRevoked',
  'StandingApprovalGranted',
  'StandingApprovalRevoked',
  'BreakGlassInvoked',
  'BreakGlassRejected',
  'BreakGlassNotified',
  'BreakGlassReviewed',
];

/** The events that end an action (I3): a stream holds at most one of them. */
export const finalOutcomeEventTypes: ReadonlySet<string> = new Set<ApprovalEventType>([
  'ActionApproved',
  'ActionDenied',
  'ActionExpired',
  'ActionCancelled',
]);
