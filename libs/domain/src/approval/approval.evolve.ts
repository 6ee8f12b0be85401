import type { ActionApproved, ApprovalEvent, FinalOutcome } from './approval.events';
import type { ApprovalState } from './approval.state';

/**
 * Applies one recorded event to the state. Total and tolerant: an event that does not fit the
 * state (which `decide` never produces) leaves it unchanged, so a replay never throws, and a
 * final state never changes its outcome (I3).
 */
export function evolve(state: ApprovalState, event: ApprovalEvent): ApprovalState {
  switch (event.type) {
    case 'ActionRequested': {
      if (state.status !== 'none') return state;
      const { actionId, request, requestHash, requestedAt, agentOwner } = event.data;
      return {
        status: 'requested',
        actionId,
        request,
        requestHash,
        requestedAt,
        ...(agentOwner !== undefined ? { agentOwner } : {}),
        votes: [],
        rejectedVotes: [],
        notifications: 0,
        notifiedTargets: [],
      };
    }
    case 'PolicyEvaluated':
      return state.status === 'none' ? state : { ...state, evaluation: event.data };
    case 'ApprovalRequested':
      return state.status === 'requested'
        ? {
            ...state,
            status: 'awaiting_approval',
            requirement: event.data.requirement,
            requestedApprovalAt: event.data.requestedAt,
            expiresAt: event.data.expiresAt,
            escalatedGroups: [],
          }
        : state;
    case 'ApprovalEscalated':
      return state.status === 'awaiting_approval' && !state.escalatedGroups.includes(event.data.group)
        ? { ...state, escalatedGroups: [...state.escalatedGroups, event.data.group] }
        : state;
    case 'ApprovalNotified':
      return state.status === 'none'
        ? state
        : {
            ...state,
            notifications: state.notifications + 1,
            notifiedTargets: [...state.notifiedTargets, notificationKey(event.data.channel, event.data.target)],
          };
    case 'ApprovalNotificationFailed':
      return state;
    case 'VoteCast':
      return state.status === 'none' ? state : { ...state, votes: [...state.votes, event.data] };
    case 'VoteRejected':
      return state.status === 'none' ? state : { ...state, rejectedVotes: [...state.rejectedVotes, event.data] };
    case 'ActionApproved': {
      const { by, approvedBy, approvedAt, standingApprovalOf } = event.data;
      const final = finalize(state, 'APPROVED', approvedAt, approvalReason(event.data), approvedBy);
      if (final === state || final.status !== 'final') return final;
      return { ...final, approvedVia: by, ...(standingApprovalOf !== undefined ? { standingApprovalOf } : {}) };
    }
    case 'ActionDenied':
      return finalize(state, 'DENIED', event.data.deniedAt, event.data.reason);
    case 'ActionExpired':
      return finalize(state, 'EXPIRED', event.data.expiredAt, event.data.reason ?? `no decision before ${event.data.expiresAt}`);
    case 'ActionCancelled':
      return finalize(state, 'CANCELLED', event.data.cancelledAt, event.data.reason);
    case 'ExecutionGrantIssued': {
      if (state.status !== 'final') return state;
      const { grantId, token, issuedAt, expiresAt } = event.data;
      return { ...state, grant: { grantId, token, issuedAt, expiresAt } };
    }
    case 'ExecutionGrantRedeemed':
      return state.status === 'final' && state.grant && !state.grant.redeemed
        ? { ...state, grant: { ...state.grant, redeemed: { redeemedBy: event.data.redeemedBy, redeemedAt: event.data.redeemedAt } } }
        : state;
    case 'ExecutionGrantRevoked':
      return state.status === 'final' && state.grant && !state.grant.revoked
        ? { ...state, grant: { ...state.grant, revoked: { revokedBy: event.data.revokedBy, reason: event.data.reason, revokedAt: event.data.revokedAt } } }
        : state;
    case 'GrantRedemptionRejected':
      return state;
    case 'ExecutionReported': {
      if (state.status !== 'final') return state;
      const { grantId, status, detail, reportedAt } = event.data;
      return { ...state, execution: { grantId, status, detail, reportedAt } };
    }
    case 'StandingApprovalGranted':
      return state.status === 'final' && state.outcome === 'APPROVED' && !state.standing ? { ...state, standing: { granted: event.data } } : state;
    case 'StandingApprovalRevoked':
      return state.status === 'final' && state.standing && !state.standing.revoked
        ? { ...state, standing: { ...state.standing, revoked: event.data } }
        : state;
    case 'BreakGlassInvoked':
      return state.status === 'awaiting_approval' && !state.breakGlass ? { ...state, breakGlass: { invoked: event.data, notified: [] } } : state;
    case 'BreakGlassRejected':
      return state;
    case 'BreakGlassNotified':
      return state.status !== 'none' && state.breakGlass
        ? {
            ...state,
            breakGlass: { ...state.breakGlass, notified: [...state.breakGlass.notified, notificationKey(event.data.channel, event.data.recipient)] },
          }
        : state;
    case 'BreakGlassReviewed':
      return state.status !== 'none' && state.breakGlass && !state.breakGlass.review
        ? { ...state, breakGlass: { ...state.breakGlass, review: event.data } }
        : state;
    default: {
      const _unknown: never = event;
      return state;
    }
  }
}

/** One line on how an action was approved, as states and read models show it. */
export function approvalReason({ by, approvedBy, standingApprovalOf }: ActionApproved['data']): string {
  switch (by) {
    case 'POLICY':
      return 'allowed by policy';
    case 'STANDING_APPROVAL':
      return `covered by the standing approval of action ${standingApprovalOf ?? '?'} (${approvedBy.join(', ')})`;
    case 'BREAK_GLASS':
      return `break-glass by ${approvedBy.join(', ')}; review pending`;
    default:
      return `approved by ${approvedBy.join(', ')}`;
  }
}

function finalize(
  state: ApprovalState,
  outcome: FinalOutcome,
  decidedAt: string,
  reason: string,
  approvedBy: readonly string[] = [],
): ApprovalState {
  switch (state.status) {
    case 'requested':
    case 'awaiting_approval':
      return { ...state, status: 'final', outcome, decidedAt, reason, approvedBy: [...approvedBy] };
    case 'none':
    case 'final':
      return state;
    default: {
      const _unknown: never = state;
      return state;
    }
  }
}

/** Identifies one delivery target of approval notices. */
export const notificationKey = (channel: string, target: string): string => `${channel} ${target}`;
