import { fail, ok } from '../errors';
import { isAtOrAfter } from '../instant';
import { type Decision, describeOutcome, exhaustive, isNonBlank, notFound, requesterRole } from './approval.checks';
import type { CastVote } from './approval.commands';
import type { VoteCast, VoteRejected, VoteRejectionReason } from './approval.events';
import { expired } from './approval.expiry';
import { findQuorum, requiredGroups } from './approval.requirement';
import { grantedStanding, standingRequestProblem } from './approval.standing';
import type { ApprovalState, AwaitingApprovalState } from './approval.state';

/** Votes of approvers: who may vote and how often (I1, I2), and when the requirement is met. */

export function castVote(command: CastVote, state: ApprovalState): Decision {
  const { data } = command;
  if (state.status === 'none') return notFound(data.actionId);
  if (!isNonBlank(data.approver?.id)) return fail('INVALID_ARGUMENT', 'approver.id must identify an authenticated approver');
  if (data.decision !== 'APPROVE' && data.decision !== 'DENY') {
    return fail('INVALID_ARGUMENT', `decision must be APPROVE or DENY, got "${String(data.decision)}"`);
  }

  switch (state.status) {
    case 'final':
      // I3: recorded for the auditors, never changes the outcome.
      return ok([rejectVote(command, 'ALREADY_DECIDED', `action is already ${describeOutcome(state)}`)]);
    case 'requested':
      return ok([rejectVote(command, 'NOT_AWAITING_APPROVAL', 'no approval has been requested for this action')]);
    case 'awaiting_approval':
      return voteWhileAwaiting(command, state);
    default:
      return exhaustive(state);
  }
}

function voteWhileAwaiting(command: CastVote, state: AwaitingApprovalState): Decision {
  const { data, meta } = command;
  const { approver } = data;

  // I4: fail closed; a vote at or after the deadline is late, and the request expires with it.
  if (isAtOrAfter(meta.now, state.expiresAt)) {
    return ok([rejectVote(command, 'EXPIRED', `the approval request expired at ${state.expiresAt}`), expired(state, meta.now)]);
  }
  if (data.standing) {
    if (data.decision !== 'APPROVE') return fail('INVALID_ARGUMENT', 'a standing approval can only be asked for with an APPROVE vote');
    const problem = standingRequestProblem(data.standing, state.requirement, state.request);
    if (problem) return { ok: false, error: problem };
  }
  // I1: checked before group membership, so no group (admins included) can bypass it.
  const role = requesterRole(state, approver.id);
  if (role) return ok([rejectVote(command, 'SELF_APPROVAL', role)]);
  // I2: only members of the groups the policy named, or of a fallback group it has escalated to
  // (who may stand in for any required group).
  const required = requiredGroups(state.requirement);
  const approverGroups = new Set(approver.groups ?? []);
  const standsIn = state.escalatedGroups.some((group) => approverGroups.has(group));
  const groups = standsIn ? required : required.filter((group) => approverGroups.has(group));
  if (groups.length === 0) {
    const fallback = state.escalatedGroups.length > 0 ? `, nor in the groups escalated to (${state.escalatedGroups.join(', ')})` : '';
    return ok([rejectVote(command, 'NOT_ELIGIBLE', `${approver.id} is in none of the required groups (${required.join(', ')})${fallback}`)]);
  }
  // I2: each human counts once.
  const earlier = state.votes.find((vote) => vote.approverId === approver.id);
  if (earlier) {
    return ok([rejectVote(command, 'DUPLICATE_VOTE', `${approver.id} already voted ${earlier.decision} at ${earlier.castAt}`)]);
  }

  const vote: VoteCast = {
    type: 'VoteCast',
    data: {
      actionId: state.actionId,
      approverId: approver.id,
      channel: approver.channel,
      decision: data.decision,
      groups,
      ...(data.comment !== undefined ? { comment: data.comment } : {}),
      ...(data.standing ? { standing: { scope: data.standing.scope, seconds: data.standing.seconds } } : {}),
      castAt: meta.now,
    },
  };

  if (data.decision === 'DENY') {
    if (!state.requirement.denyEndsRequest) return ok([vote]);
    const reason = data.comment?.trim() ? data.comment.trim() : `denied by ${approver.id}`;
    return ok([
      vote,
      { type: 'ActionDenied', data: { actionId: state.actionId, by: 'APPROVER', deniedBy: approver.id, reason, deniedAt: meta.now } },
    ]);
  }

  // Only APPROVE votes count towards the quorum.
  const approvals = [...state.votes, vote.data].filter((cast) => cast.decision === 'APPROVE');
  const approvedBy = findQuorum(state.requirement, approvals);
  if (!approvedBy) return ok([vote]);
  const standing = grantedStanding(state, approvals, approvedBy, meta.now);
  return ok([
    vote,
    { type: 'ActionApproved', data: { actionId: state.actionId, approvedBy, by: 'APPROVERS', approvedAt: meta.now } },
    ...(standing ? [standing] : []),
  ]);
}

function rejectVote({ data, meta }: CastVote, reason: VoteRejectionReason, detail: string): VoteRejected {
  return {
    type: 'VoteRejected',
    data: {
      actionId: data.actionId,
      approverId: data.approver.id,
      channel: data.approver.channel,
      decision: data.decision,
      reason,
      detail,
      attemptedAt: meta.now,
    },
  };
}
