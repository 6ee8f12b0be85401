import type {
  ActionApproved,
  ActionRequest,
  ApprovalRequirement,
  BreakGlassInvoked,
  BreakGlassReviewed,
  FinalOutcome,
  PolicyEvaluated,
  StandingApprovalGranted,
  StandingApprovalRevoked,
  VoteCast,
  VoteRejected,
} from './approval.events';

/** What every state after the request knows about the action. */
export interface ActionFacts {
  actionId: string;
  request: ActionRequest;
  requestHash: string;
  requestedAt: string;
  /** The human accountable for the agent, when the directory names one. */
  agentOwner?: string | undefined;
  evaluation?: PolicyEvaluated['data'] | undefined;
  votes: VoteCast['data'][];
  rejectedVotes: VoteRejected['data'][];
  notifications: number;
  /** `channel target` of every delivery recorded so far: a redelivered notice is recorded once. */
  notifiedTargets: string[];
  /** Set when the emergency path was taken (it approves the action in the same append). */
  breakGlass?: BreakGlassFacts | undefined;
}

/** The standing approval this action's approval granted. */
export interface StandingFacts {
  granted: StandingApprovalGranted['data'];
  revoked?: StandingApprovalRevoked['data'] | undefined;
}

/** The emergency path, once taken, and its review. */
export interface BreakGlassFacts {
  invoked: BreakGlassInvoked['data'];
  /** Approvers told about it (`channel recipient`), each once. */
  notified: string[];
  review?: BreakGlassReviewed['data'] | undefined;
}

export interface GrantFacts {
  grantId: string;
  token: string;
  issuedAt: string;
  expiresAt: string;
  /** Set once the grant was consumed by a redemption (single use, I5). */
  redeemed?: { redeemedBy: string; redeemedAt: string } | undefined;
  /** Set when the agent withdrew the action before using the grant. */
  revoked?: { revokedBy: string; reason: string; revokedAt: string } | undefined;
}

export type ApprovalState =
  | { status: 'none' }
  /** Requested, waiting for the policy evaluation. */
  | ({ status: 'requested' } & ActionFacts)
  /** The policy asked for humans; votes are being collected until `expiresAt`. */
  | ({
      status: 'awaiting_approval';
      requirement: ApprovalRequirement;
      requestedApprovalAt: string;
      expiresAt: string;
      /** Fallback groups asked so far (escalation), in order. */
      escalatedGroups: string[];
    } & ActionFacts)
  /** One of the four final outcomes (I3): never changes again. */
  | ({
      status: 'final';
      outcome: FinalOutcome;
      decidedAt: string;
      reason: string;
      requirement?: ApprovalRequirement | undefined;
      expiresAt?: string | undefined;
      approvedBy: string[];
      /** How it was approved (with APPROVED). */
      approvedVia?: ActionApproved['data']['by'] | undefined;
      /** With approval by a standing approval: the action whose approval granted it. */
      standingApprovalOf?: string | undefined;
      /** The standing approval this action's approval granted, if any. */
      standing?: StandingFacts | undefined;
      grant?: GrantFacts | undefined;
      execution?: { grantId: string; status: 'SUCCEEDED' | 'FAILED'; detail: string; reportedAt: string } | undefined;
    } & ActionFacts);

export type ApprovalStatus = ApprovalState['status'];

/** The state of an action that has been requested and not yet evaluated. */
export type RequestedState = Extract<ApprovalState, { status: 'requested' }>;
/** The state of an action whose approval request is open. */
export type AwaitingApprovalState = Extract<ApprovalState, { status: 'awaiting_approval' }>;
/** The state of an action with its final outcome. */
export type FinalState = Extract<ApprovalState, { status: 'final' }>;
/** Any state of an action that exists in the ledger. */
export type ExistingActionState = Exclude<ApprovalState, { status: 'none' }>;

export const initialState = (): ApprovalState => ({ status: 'none' });

/** True once the action has its one final outcome (I3). */
export const isFinal = (state: ApprovalState): state is FinalState => state.status === 'final';
