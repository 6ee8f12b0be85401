import type { ActionEvent, LedgerEventOf } from '@approvals/contracts';
import { actionEventTypes } from '@approvals/contracts';

/**
 * Events of the approval aggregate: one stream per action (`action-<actionId>`). Their shapes are
 * the event catalogue's (`libs/contracts/src/events/ledger-events.ts`), one schema per type, so the
 * types here, what the ledger's readers parse and what the bus carries cannot drift apart.
 */

export type ActionRequested = LedgerEventOf<'ActionRequested'>;
export type PolicyEvaluated = LedgerEventOf<'PolicyEvaluated'>;
export type ApprovalRequested = LedgerEventOf<'ApprovalRequested'>;
/** Nobody decided in time: the policy's next fallback group may now approve too. */
export type ApprovalEscalated = LedgerEventOf<'ApprovalEscalated'>;
export type ApprovalNotified = LedgerEventOf<'ApprovalNotified'>;
/** A delivery that failed; it is retried with backoff until it succeeds (ApprovalNotified) or the request ends. */
export type ApprovalNotificationFailed = LedgerEventOf<'ApprovalNotificationFailed'>;
export type VoteCast = LedgerEventOf<'VoteCast'>;
export type VoteRejected = LedgerEventOf<'VoteRejected'>;
export type ActionApproved = LedgerEventOf<'ActionApproved'>;
export type ActionDenied = LedgerEventOf<'ActionDenied'>;
export type ActionExpired = LedgerEventOf<'ActionExpired'>;
export type ActionCancelled = LedgerEventOf<'ActionCancelled'>;
export type ExecutionGrantIssued = LedgerEventOf<'ExecutionGrantIssued'>;
export type ExecutionReported = LedgerEventOf<'ExecutionReported'>;
/** The grant was presented and consumed: the action may run now, once. */
export type ExecutionGrantRedeemed = LedgerEventOf<'ExecutionGrantRedeemed'>;
/** A grant that was presented and refused (I5): security relevant, so recorded. */
export type GrantRedemptionRejected = LedgerEventOf<'GrantRedemptionRejected'>;
/** The agent withdrew an approved action before using its grant: the outcome stands (I3), the grant is void. */
export type ExecutionGrantRevoked = LedgerEventOf<'ExecutionGrantRevoked'>;
/** Recorded in the stream of the action whose approval granted it, right after its ActionApproved. */
export type StandingApprovalGranted = LedgerEventOf<'StandingApprovalGranted'>;
export type StandingApprovalRevoked = LedgerEventOf<'StandingApprovalRevoked'>;
/** The emergency path was taken: the action is approved without waiting and must be reviewed. */
export type BreakGlassInvoked = LedgerEventOf<'BreakGlassInvoked'>;
/** A refused attempt to break the glass or to review it: security relevant, so recorded. */
export type BreakGlassRejected = LedgerEventOf<'BreakGlassRejected'>;
/** One approver of the review groups was told that the glass was broken. */
export type BreakGlassNotified = LedgerEventOf<'BreakGlassNotified'>;
export type BreakGlassReviewed = LedgerEventOf<'BreakGlassReviewed'>;

export type ApprovalEvent = ActionEvent;
export type ApprovalEventType = ApprovalEvent['type'];
export const approvalEventTypes: readonly ApprovalEventType[] = actionEventTypes;

// The values events carry, named once from the catalogue.
export type { JsonValue } from '@approvals/contracts';
export type ActionRequest = ActionRequested['data']['request'];
export type ResourceRef = ActionRequest['resource'];
export type PolicyOutcome = PolicyEvaluated['data']['outcome'];
/** Who may approve and how many: every step must be met, and one human fills at most one slot. */
export type ApprovalRequirement = ApprovalRequested['data']['requirement'];
export type ApprovalStep = ApprovalRequirement['steps'][number];
export type EscalationStep = NonNullable<ApprovalRequirement['escalation']>[number];
export type StandingAllowance = NonNullable<ApprovalRequirement['standing']>;
export type BreakGlassAllowance = NonNullable<ApprovalRequirement['breakGlass']>;
export type VoteDecision = VoteCast['data']['decision'];
/** What an approver asks for with an APPROVE vote (a standing approval for similar requests). */
export type StandingRequest = NonNullable<VoteCast['data']['standing']>;
export type VoteRejectionReason = VoteRejected['data']['reason'];
export type ApprovedBy = ActionApproved['data']['by'];
/** An approver who counted towards a standing approval, with the required groups they filled. */
export type StandingApprover = StandingApprovalGranted['data']['approvers'][number];
export type BreakGlassRejectionReason = BreakGlassRejected['data']['reason'];
export type BreakGlassVerdict = BreakGlassReviewed['data']['verdict'];
export type GrantRejectionReason = GrantRedemptionRejected['data']['reason'];

export type FinalOutcome = 'APPROVED' | 'DENIED' | 'EXPIRED' | 'CANCELLED';

export interface Approver {
  id: string;
  /** The directory groups the approver belongs to, resolved at the edge when the vote arrives. */
  groups: string[];
  channel: string;
}

/** The events that end an action (I3): a stream holds at most one of them. */
export const finalOutcomeEventTypes: ReadonlySet<string> = new Set<ApprovalEventType>([
  'ActionApproved',
  'ActionDenied',
  'ActionExpired',
  'ActionCancelled',
]);
