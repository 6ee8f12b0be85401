import type {
  ActionRequest,
  Approver,
  ApprovalRequirement,
  BreakGlassVerdict,
  PolicyOutcome,
  StandingApprovalGranted,
  StandingRequest,
  VoteDecision,
} from './approval.events';

/** Time always comes in with the command, so `decide` stays pure and replayable. */
export interface CommandMeta {
  now: string;
}

export interface RequestAction {
  type: 'RequestAction';
  data: { actionId: string; request: ActionRequest; requestHash: string; agentOwner?: string | undefined };
  meta: CommandMeta;
}

export interface RecordEvaluation {
  type: 'RecordEvaluation';
  data: {
    actionId: string;
    outcome: PolicyOutcome;
    policyVersion: string;
    determiningPolicies: string[];
    reasons: string[];
    requirement?: ApprovalRequirement | undefined;
    /** SHA-256 of the canonical request the policies saw; it must be the request recorded (I5). */
    requestHash: string;
    /**
     * A standing approval that may cover this request, looked up by the caller; the decider
     * checks that it really does (same request, still valid, within what the policy allows now).
     */
    standing?: StandingApprovalCandidate | undefined;
  };
  meta: CommandMeta;
}

/** A standing approval as found in the stream of the action that granted it. */
export interface StandingApprovalCandidate {
  originRequest: ActionRequest;
  granted: StandingApprovalGranted['data'];
  revokedAt?: string | undefined;
}

export interface CastVote {
  type: 'CastVote';
  data: {
    actionId: string;
    approver: Approver;
    decision: VoteDecision;
    comment?: string | undefined;
    /** With APPROVE: also grant a standing approval for identical requests (if the policy allows it). */
    standing?: StandingRequest | undefined;
  };
  meta: CommandMeta;
}

/** Ends the standing approval that this action's approval granted. */
export interface RevokeStandingApproval {
  type: 'RevokeStandingApproval';
  data: { actionId: string; revoker: Approver; reason: string };
  meta: CommandMeta;
}

/** Takes the policy's emergency path: approve now, notify every approver, review afterwards. */
export interface InvokeBreakGlass {
  type: 'InvokeBreakGlass';
  data: { actionId: string; invoker: Approver; justification: string };
  meta: CommandMeta;
}

export interface ReviewBreakGlass {
  type: 'ReviewBreakGlass';
  data: { actionId: string; reviewer: Approver; verdict: BreakGlassVerdict; comment: string };
  meta: CommandMeta;
}

/** Asks the fallback groups whose time has come (the notifier's clock sends it; the decider checks the time). */
export interface EscalateApproval {
  type: 'EscalateApproval';
  data: { actionId: string };
  meta: CommandMeta;
}

export interface ExpireApproval {
  type: 'ExpireApproval';
  data: { actionId: string };
  meta: CommandMeta;
}

/** Gives up on an action whose policy evaluation never arrived: it expires, never allowed (I4, I6). */
export interface ExpireUnevaluated {
  type: 'ExpireUnevaluated';
  data: { actionId: string; reason: string };
  meta: CommandMeta;
}

export interface CancelAction {
  type: 'CancelAction';
  data: { actionId: string; cancelledBy: string; reason: string };
  meta: CommandMeta;
}

export interface IssueGrant {
  type: 'IssueGrant';
  data: { actionId: string; grantId: string; token: string; expiresAt: string };
  meta: CommandMeta;
}

export interface RecordNotification {
  type: 'RecordNotification';
  /** `BREAK_GLASS`: the notice that the glass was broken, sent to one approver (`target`). */
  data: {
    actionId: string;
    channel: string;
    target: string;
    purpose?: 'APPROVAL' | 'BREAK_GLASS' | undefined;
    /** Set when the delivery failed (the first failure of a channel is recorded; retries follow). */
    error?: string | undefined;
  };
  meta: CommandMeta;
}

export interface ReportExecution {
  type: 'ReportExecution';
  data: { actionId: string; agentId: string; grantId: string; status: 'SUCCEEDED' | 'FAILED'; detail: string };
  meta: CommandMeta;
}

/**
 * An executor presents a grant whose signature the caller has verified. `tokenRequestHash` is the
 * hash the grant carries; `requestHash` the hash of what is about to run; `tokenExpired` what the
 * signature check found about the token's own expiry.
 */
export interface RedeemGrant {
  type: 'RedeemGrant';
  data: { actionId: string; grantId: string; presentedBy: string; requestHash: string; tokenRequestHash: string; tokenExpired: boolean };
  meta: CommandMeta;
}

/** A grant that failed its signature check, presented by the agent that owns the action it names. */
export interface RecordForgedGrant {
  type: 'RecordForgedGrant';
  data: { actionId: string; grantId: string; presentedBy: string; detail: string };
  meta: CommandMeta;
}

export type ApprovalCommand =
  | RequestAction
  | RecordEvaluation
  | CastVote
  | ExpireApproval
  | EscalateApproval
  | ExpireUnevaluated
  | CancelAction
  | IssueGrant
  | RecordNotification
  | ReportExecution
  | RevokeStandingApproval
  | InvokeBreakGlass
  | ReviewBreakGlass
  | RedeemGrant
  | RecordForgedGrant;
