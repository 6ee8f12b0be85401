import { invokeBreakGlass, recordBreakGlassNotice, reviewBreakGlass } from './approval.break-glass';
import { type Decision, describeOutcome, firstBlank, isNonBlank, notFound, requesterRole } from './approval.checks';
import { notificationKey } from './approval.evolve';
import { recordForgedGrant, redeemGrant, revokeUnusedGrant } from './approval.grant';
import { grantedStanding, revokeStanding, standingCoverageGap, standingRequestProblem } from './approval.standing';
import type {
  ApprovalCommand,
  CancelAction,
  CastVote,
  EscalateApproval,
  ExpireApproval,
  ExpireUnevaluated,
  IssueGrant,
  RecordEvaluation,
  RecordNotification,
  ReportExecution,
  RequestAction,
} from './approval.commands';
import type {
  ActionExpired,
  ApprovalEvent,
  ApprovalRequirement,
  PolicyEvaluated,
  VoteCast,
  VoteRejected,
  VoteRejectionReason,
} from './approval.events';
import { findQuorum, requiredGroups, validateRequirement } from './approval.requirement';
import type { ApprovalState, AwaitingApprovalState, RequestedState } from './approval.state';
import { fail, ok } from '../errors';
import { addSeconds, isAtOrAfter, parseInstant } from '../instant';

/** Decides which events a command produces in the given state; pure, so any replay decides alike. */
export function decide(command: ApprovalCommand, state: ApprovalState): Decision {
  if (parseInstant(command.meta.now) === undefined) {
    return fail(
      'INVALID_ARGUMENT',
      `meta.now must be an ISO 8601 instant with an offset (e.g. 2025-01-01T00:00:00Z), got "${String(command.meta.now)}"`,
    );
  }
  if (state.status !== 'none' && command.data.actionId !== state.actionId) {
    return fail('INVALID_ARGUMENT', `command for action "${command.data.actionId}" was applied to the stream of action "${state.actionId}"`);
  }
  switch (command.type) {
    case 'RequestAction':
      return requestAction(command, state);
    case 'RecordEvaluation':
      return recordEvaluation(command, state);
    case 'CastVote':
      return castVote(command, state);
    case 'ExpireApproval':
      return expireApproval(command, state);
    case 'EscalateApproval':
      return escalateApproval(command, state);
    case 'ExpireUnevaluated':
      return expireUnevaluated(command, state);
    case 'CancelAction':
      return cancelAction(command, state);
    case 'IssueGrant':
      return issueGrant(command, state);
    case 'RecordNotification':
      return recordNotification(command, state);
    case 'ReportExecution':
      return reportExecution(command, state);
    case 'RevokeStandingApproval':
      return revokeStanding(command, state);
    case 'InvokeBreakGlass':
      return invokeBreakGlass(command, state);
    case 'ReviewBreakGlass':
      return reviewBreakGlass(command, state);
    case 'RedeemGrant':
      return redeemGrant(command, state);
    case 'RecordForgedGrant':
      return recordForgedGrant(command, state);
    default: {
      const unknown: never = command;
      return fail('INVALID_ARGUMENT', `unknown command type "${String((unknown as { type?: unknown }).type)}"`);
    }
  }
}

function requestAction({ data, meta }: RequestAction, state: ApprovalState): Decision {
  switch (state.status) {
    case 'none': {
      const missing = firstBlank({ actionId: data.actionId, requestHash: data.requestHash, 'request.agentId': data.request?.agentId });
      if (missing) return fail('INVALID_ARGUMENT', `${missing} must be a non-empty string`);
      return ok([
        {
          type: 'ActionRequested',
          data: {
            actionId: data.actionId,
            request: data.request,
            requestHash: data.requestHash,
            requestedAt: meta.now,
            ...(isNonBlank(data.agentOwner) ? { agentOwner: data.agentOwner } : {}),
          },
        },
      ]);
    }
    case 'requested':
    case 'awaiting_approval':
    case 'final':
      // I7: a retry with the same payload is the same action; another payload under the same key is refused.
      return state.requestHash === data.requestHash
        ? ok([])
        : fail(
            'IDEMPOTENCY_CONFLICT',
            `idempotency key "${state.request.idempotencyKey}" already identifies action ${state.actionId} with different ` +
              `parameters (request hash ${state.requestHash}, got ${data.requestHash}); use a new idempotency key for a different request`,
          );
    default:
      return exhaustive(state);
  }
}

function recordEvaluation(command: RecordEvaluation, state: ApprovalState): Decision {
  switch (state.status) {
    case 'none':
      return notFound(command.data.actionId);
    case 'requested':
      // The stream was written by hand if it holds an evaluation here; never evaluate twice.
      return state.evaluation ? ok([]) : evaluate(command, state);
    case 'awaiting_approval':
      return ok([]);
    case 'final':
      // Late (e.g. the agent cancelled first) or redelivered: the outcome stands (I3), nothing to record.
      return ok([]);
    default:
      return exhaustive(state);
  }
}

function evaluate({ data, meta }: RecordEvaluation, state: RequestedState): Decision {
  if (!isNonBlank(data.policyVersion)) {
    return fail('INVALID_ARGUMENT', 'policyVersion must name the policy set that decided (I9)');
  }
  if (data.requestHash !== state.requestHash) {
    // The policies judged other parameters than those recorded and shown: their verdict does not apply.
    return fail('INVALID_ARGUMENT', `the evaluation is of request hash ${data.requestHash}, not of the recorded request (hash ${state.requestHash})`);
  }
  const evaluated: PolicyEvaluated = {
    type: 'PolicyEvaluated',
    data: {
      actionId: state.actionId,
      outcome: data.outcome,
      policyVersion: data.policyVersion,
      determiningPolicies: [...data.determiningPolicies],
      reasons: [...data.reasons],
      ...(data.requirement ? { requirement: copyRequirement(data.requirement) } : {}),
      requestHash: data.requestHash,
      evaluatedAt: meta.now,
    },
  };
  switch (data.outcome) {
    case 'ALLOW':
      return ok([evaluated, { type: 'ActionApproved', data: { actionId: state.actionId, approvedBy: [], by: 'POLICY', approvedAt: meta.now } }]);
    case 'DENY': {
      const reason = data.reasons.length > 0 ? data.reasons.join('; ') : `denied by policy set ${data.policyVersion}`;
      return ok([evaluated, { type: 'ActionDenied', data: { actionId: state.actionId, by: 'POLICY', reason, deniedAt: meta.now } }]);
    }
    case 'REQUIRE_APPROVAL': {
      if (!data.requirement) {
        return fail('INVALID_ARGUMENT', 'an evaluation with outcome REQUIRE_APPROVAL must carry the approval requirement');
      }
      const problem = validateRequirement(data.requirement);
      if (problem) return { ok: false, error: problem };
      const expiresAt = addSeconds(meta.now, data.requirement.ttlSeconds);
      if (expiresAt === undefined) {
        return fail('INVALID_ARGUMENT', `requirement.ttlSeconds ${data.requirement.ttlSeconds} puts the deadline out of range`);
      }
      if (data.standing && standingCoverageGap(data.standing, state, data.requirement, meta.now) === undefined) {
        const { granted } = data.standing;
        return ok([
          evaluated,
          {
            type: 'ActionApproved',
            data: {
              actionId: state.actionId,
              approvedBy: granted.approvers.map((approver) => approver.approverId),
              by: 'STANDING_APPROVAL',
              standingApprovalOf: granted.actionId,
              approvedAt: meta.now,
            },
          },
        ]);
      }
      return ok([
        evaluated,
        {
          type: 'ApprovalRequested',
          data: { actionId: state.actionId, requirement: copyRequirement(data.requirement), requestedAt: meta.now, expiresAt },
        },
      ]);
    }
    default: {
      const unknown: never = data.outcome;
      return fail('INVALID_ARGUMENT', `unknown policy outcome "${String(unknown)}"`);
    }
  }
}

function castVote(command: CastVote, state: ApprovalState): Decision {
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

/** Records each escalation step whose time has come, in order, once; never at or past the deadline. */
function escalateApproval({ data, meta }: EscalateApproval, state: ApprovalState): Decision {
  if (state.status === 'none') return notFound(data.actionId);
  if (state.status !== 'awaiting_approval' || isAtOrAfter(meta.now, state.expiresAt)) return ok([]);
  const due = (state.requirement.escalation ?? []).filter((step) => {
    const at = addSeconds(state.requestedApprovalAt, step.afterSeconds);
    return at !== undefined && isAtOrAfter(meta.now, at) && !state.escalatedGroups.includes(step.group);
  });
  return ok(
    due.map((step) => ({
      type: 'ApprovalEscalated' as const,
      data: { actionId: state.actionId, group: step.group, afterSeconds: step.afterSeconds, escalatedAt: meta.now },
    })),
  );
}

function expireApproval({ data, meta }: ExpireApproval, state: ApprovalState): Decision {
  switch (state.status) {
    case 'none':
      return notFound(data.actionId);
    case 'requested':
    case 'final':
      return ok([]);
    case 'awaiting_approval':
      return isAtOrAfter(meta.now, state.expiresAt) ? ok([expired(state, meta.now)]) : ok([]);
    default:
      return exhaustive(state);
  }
}

function expireUnevaluated({ data, meta }: ExpireUnevaluated, state: ApprovalState): Decision {
  switch (state.status) {
    case 'none':
      return notFound(data.actionId);
    case 'requested':
      return state.evaluation
        ? ok([])
        : ok([{ type: 'ActionExpired', data: { actionId: state.actionId, expiresAt: meta.now, expiredAt: meta.now, reason: data.reason } }]);
    case 'awaiting_approval':
    case 'final':
      return ok([]);
    default:
      return exhaustive(state);
  }
}

function cancelAction(command: CancelAction, state: ApprovalState): Decision {
  const { data, meta } = command;
  if (state.status === 'none') return notFound(data.actionId);
  // Checked first so that nobody but the requesting agent learns anything about the action.
  if (data.cancelledBy !== state.request.agentId) {
    return fail('PERMISSION_DENIED', `only the requesting agent (${state.request.agentId}) may cancel action ${state.actionId}`);
  }
  const cancelled: ApprovalEvent = {
    type: 'ActionCancelled',
    data: { actionId: state.actionId, cancelledBy: data.cancelledBy, reason: data.reason, cancelledAt: meta.now },
  };
  switch (state.status) {
    case 'final':
      return revokeUnusedGrant(command, state);
    case 'requested':
      return ok([cancelled]);
    case 'awaiting_approval':
      // I4: past its deadline the request has expired, whoever notices first.
      return isAtOrAfter(meta.now, state.expiresAt) ? ok([expired(state, meta.now)]) : ok([cancelled]);
    default:
      return exhaustive(state);
  }
}

function issueGrant({ data, meta }: IssueGrant, state: ApprovalState): Decision {
  switch (state.status) {
    case 'none':
      return notFound(data.actionId);
    case 'requested':
    case 'awaiting_approval':
      return fail('INVALID_STATE', `action ${state.actionId} is not approved yet (status ${state.status}); no grant can be issued`);
    case 'final': {
      // I5: a grant exists only after approval.
      if (state.outcome !== 'APPROVED') {
        return fail('INVALID_STATE', `action ${state.actionId} was ${describeOutcome(state)}; no grant can be issued`);
      }
      if (state.grant) return ok([]);
      const missing = firstBlank({ grantId: data.grantId, token: data.token });
      if (missing) return fail('INVALID_ARGUMENT', `${missing} must be a non-empty string`);
      if (parseInstant(data.expiresAt) === undefined || isAtOrAfter(meta.now, data.expiresAt)) {
        return fail('INVALID_ARGUMENT', `grant expiresAt must be an ISO 8601 instant after ${meta.now}, got "${data.expiresAt}"`);
      }
      return ok([
        {
          type: 'ExecutionGrantIssued',
          data: {
            actionId: state.actionId,
            grantId: data.grantId,
            agentId: state.request.agentId,
            requestHash: state.requestHash,
            token: data.token,
            issuedAt: meta.now,
            expiresAt: data.expiresAt,
          },
        },
      ]);
    }
    default:
      return exhaustive(state);
  }
}

function recordNotification(command: RecordNotification, state: ApprovalState): Decision {
  const { data, meta } = command;
  if (data.purpose === 'BREAK_GLASS') return recordBreakGlassNotice(command, state);
  switch (state.status) {
    case 'awaiting_approval':
      if (data.error !== undefined) {
        return ok([{ type: 'ApprovalNotificationFailed', data: { actionId: state.actionId, channel: data.channel, error: data.error.slice(0, 500), failedAt: meta.now } }]);
      }
      // A notifier that crashed after delivering re-delivers; the ledger records the delivery once (I6).
      if (state.notifiedTargets.includes(notificationKey(data.channel, data.target))) return ok([]);
      return ok([
        {
          type: 'ApprovalNotified',
          data: { actionId: state.actionId, channel: data.channel, target: data.target, notifiedAt: meta.now },
        },
      ]);
    // A notification that arrives once nothing is pending is not worth recording.
    case 'none':
    case 'requested':
    case 'final':
      return ok([]);
    default:
      return exhaustive(state);
  }
}

function reportExecution({ data, meta }: ReportExecution, state: ApprovalState): Decision {
  switch (state.status) {
    case 'none':
      return notFound(data.actionId);
    case 'requested':
    case 'awaiting_approval':
      return fail('INVALID_STATE', `action ${state.actionId} is not approved (status ${state.status}); it must not have been executed`);
    case 'final': {
      if (state.outcome !== 'APPROVED') {
        return fail('INVALID_STATE', `action ${state.actionId} was ${describeOutcome(state)}; it must not have been executed`);
      }
      if (!state.grant) return fail('INVALID_STATE', `no execution grant has been issued for action ${state.actionId}`);
      // I5: the grant is bound to this agent and this grant id.
      if (data.grantId !== state.grant.grantId || data.agentId !== state.request.agentId) {
        return fail('PERMISSION_DENIED', `grant ${data.grantId} held by ${data.agentId} is not the grant issued for action ${state.actionId}`);
      }
      if (state.grant.revoked) {
        return fail('PERMISSION_DENIED', `grant ${data.grantId} was revoked at ${state.grant.revoked.revokedAt}; it must not have been used`);
      }
      // A redeemed grant was consumed by the executor: reporting how it went is the rest of that one use.
      if (!state.grant.redeemed && isAtOrAfter(meta.now, state.grant.expiresAt)) {
        return fail('PERMISSION_DENIED', `grant ${data.grantId} expired at ${state.grant.expiresAt}; request the action again`);
      }
      if (state.execution) {
        return fail(
          'ALREADY_FINAL',
          `execution of action ${state.actionId} was already reported (${state.execution.status} at ${state.execution.reportedAt}); a grant is single-use`,
        );
      }
      return ok([
        {
          type: 'ExecutionReported',
          data: { actionId: state.actionId, grantId: data.grantId, status: data.status, detail: data.detail, reportedAt: meta.now },
        },
      ]);
    }
    default:
      return exhaustive(state);
  }
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

function expired(state: AwaitingApprovalState, now: string): ActionExpired {
  return { type: 'ActionExpired', data: { actionId: state.actionId, expiresAt: state.expiresAt, expiredAt: now } };
}



function copyRequirement(requirement: ApprovalRequirement): ApprovalRequirement {
  return {
    ...requirement,
    steps: requirement.steps.map((step) => ({ ...step })),
    ...(requirement.channels ? { channels: [...requirement.channels] } : {}),
    ...(requirement.escalation ? { escalation: requirement.escalation.map((step) => ({ ...step })) } : {}),
    ...(requirement.standing ? { standing: { ...requirement.standing } } : {}),
    ...(requirement.breakGlass ? { breakGlass: { ...requirement.breakGlass, groups: [...requirement.breakGlass.groups] } } : {}),
  };
}



function exhaustive(state: never): Decision {
  return fail('INVALID_STATE', `unknown state ${JSON.stringify(state)}`);
}
