import { type Decision, describeOutcome, isNonBlank, notFound, requesterRole, sameJson } from './approval.checks';
import type { RevokeStandingApproval, StandingApprovalCandidate } from './approval.commands';
import type {
  ActionRequest,
  ApprovalRequirement,
  StandingApprovalGranted,
  StandingRequest,
  VoteCast,
} from './approval.events';
import { findQuorum, requiredGroups } from './approval.requirement';
import type { ApprovalState, AwaitingApprovalState, RequestedState } from './approval.state';
import { type DomainError, fail, ok } from '../errors';
import { addSeconds, isAtOrAfter, parseInstant } from '../instant';

/**
 * Standing approvals: fatigue control that stays accountable. Approvers who approve a request may
 * ask that identical requests be approved without asking them again, for a while or for the
 * agent's current run. The grant is an event in the stream of the action they approved; every
 * action it covers cites that action; it is revocable; and it never covers more than the policy
 * in force allows at the time of the later request.
 */

/** The request fields a standing approval is bound to: anything else differs, and it does not cover. */
const boundFields = ['agentId', 'model', 'onBehalfOf', 'action', 'resource', 'environment', 'dataClassification', 'parameters'] as const;

/** Why an APPROVE vote may not ask for `standing` under this requirement, or undefined when it may. */
export function standingRequestProblem(
  standing: StandingRequest,
  requirement: ApprovalRequirement,
  request: ActionRequest,
): DomainError | undefined {
  const invalid = (message: string): DomainError => ({ code: 'INVALID_ARGUMENT', message });
  if (!requirement.standing) {
    return invalid('the policy that asked for this approval does not allow standing approvals (no @standing annotation)');
  }
  if (standing.scope !== 'DURATION' && standing.scope !== 'RUN') {
    return invalid(`standing.scope must be DURATION or RUN, got "${String(standing.scope)}"`);
  }
  if (!Number.isInteger(standing.seconds) || standing.seconds < 1) {
    return invalid(`standing.seconds must be a whole number of seconds >= 1, got ${String(standing.seconds)}`);
  }
  if (standing.seconds > requirement.standing.maxSeconds) {
    return invalid(`standing.seconds ${standing.seconds} is longer than the policy allows (at most ${requirement.standing.maxSeconds})`);
  }
  if (standing.scope === 'RUN' && !isNonBlank(request.runId)) {
    return invalid('a RUN standing approval needs a request that names its run (runId)');
  }
  return undefined;
}

/**
 * The standing approval that an approval by `approvedBy` grants, when every one of them asked for
 * one: the narrowest scope and the shortest time any of them asked for.
 */
export function grantedStanding(
  state: AwaitingApprovalState,
  votes: readonly VoteCast['data'][],
  approvedBy: readonly string[],
  now: string,
): StandingApprovalGranted | undefined {
  const asked = approvedBy.map((id) => votes.find((vote) => vote.approverId === id && vote.decision === 'APPROVE'));
  const requests = asked.flatMap((vote) => (vote?.standing ? [vote.standing] : []));
  if (requests.length === 0 || requests.length !== approvedBy.length || !state.evaluation) return undefined;
  const scope = requests.some((request) => request.scope === 'RUN') ? 'RUN' : 'DURATION';
  const expiresAt = addSeconds(now, Math.min(...requests.map((request) => request.seconds)));
  if (expiresAt === undefined) return undefined;
  return {
    type: 'StandingApprovalGranted',
    data: {
      actionId: state.actionId,
      scope,
      ...(scope === 'RUN' ? { runId: state.request.runId } : {}),
      approvers: asked.flatMap((vote) => (vote ? [{ approverId: vote.approverId, groups: [...vote.groups] }] : [])),
      policyVersion: state.evaluation.policyVersion,
      determiningPolicies: [...state.evaluation.determiningPolicies],
      grantedAt: now,
      expiresAt,
    },
  };
}

/**
 * Why `candidate` does not cover the request in `state` under `requirement` (the one the policy
 * in force asks for now), or undefined when it does. Never wider than the policy: it must still
 * allow standing approvals, for at least as long as this one has lasted, and the approvers who
 * granted it must meet today's requirement on their own.
 */
export function standingCoverageGap(
  candidate: StandingApprovalCandidate,
  state: RequestedState,
  requirement: ApprovalRequirement,
  now: string,
): string | undefined {
  const { granted, originRequest } = candidate;
  if (!requirement.standing) return 'the policy in force does not allow standing approvals for this request';
  if (granted.actionId === state.actionId) return 'an action cannot be covered by its own standing approval';
  if (candidate.revokedAt !== undefined) return `it was revoked at ${candidate.revokedAt}`;
  if (isAtOrAfter(now, granted.expiresAt)) return `it expired at ${granted.expiresAt}`;
  const policyLimit = addSeconds(granted.grantedAt, requirement.standing.maxSeconds);
  if (policyLimit === undefined || isAtOrAfter(now, policyLimit)) {
    return `the policy in force allows standing approvals of at most ${requirement.standing.maxSeconds} s`;
  }
  const differs = boundFields.find((field) => !sameJson(originRequest[field], state.request[field]));
  if (differs) return `the request differs from the approved one in ${differs}`;
  if (granted.scope === 'RUN' && (!isNonBlank(state.request.runId) || state.request.runId !== granted.runId)) {
    return `it covers run ${granted.runId ?? '?'} only`;
  }
  for (const approver of granted.approvers) {
    const role = requesterRole(state, approver.approverId);
    if (role) return role;
  }
  if (!findQuorum(requirement, granted.approvers)) {
    return `its approvers (${granted.approvers.map((a) => a.approverId).join(', ')}) do not meet the requirement in force`;
  }
  return undefined;
}

/** Ends a standing approval: its approvers, anyone in the groups the policy named, or the agent's owner may. */
export function revokeStanding({ data, meta }: RevokeStandingApproval, state: ApprovalState): Decision {
  if (state.status === 'none') return notFound(data.actionId);
  if (!isNonBlank(data.revoker?.id)) return fail('INVALID_ARGUMENT', 'revoker.id must identify an authenticated human');
  if (!isNonBlank(data.reason)) return fail('INVALID_ARGUMENT', 'reason must say why the standing approval is revoked');
  if (state.status !== 'final' || !state.standing) {
    const where = state.status === 'final' ? describeOutcome(state) : state.status;
    return fail('NOT_FOUND', `action ${state.actionId} (${where}) granted no standing approval`);
  }
  const { granted, revoked } = state.standing;
  if (revoked) return fail('ALREADY_FINAL', `the standing approval of action ${state.actionId} was revoked at ${revoked.revokedAt}`);
  if (isAtOrAfter(meta.now, granted.expiresAt)) {
    return fail('ALREADY_FINAL', `the standing approval of action ${state.actionId} expired at ${granted.expiresAt}`);
  }
  const groups = new Set(data.revoker.groups ?? []);
  const mayRevoke =
    granted.approvers.some((approver) => approver.approverId === data.revoker.id) ||
    (state.requirement ? requiredGroups(state.requirement).some((group) => groups.has(group)) : false) ||
    data.revoker.id === state.agentOwner;
  if (!mayRevoke) {
    return fail(
      'PERMISSION_DENIED',
      `${data.revoker.id} may not revoke it: only its approvers, members of the required groups or the agent's owner may`,
    );
  }
  return ok([
    {
      type: 'StandingApprovalRevoked',
      data: { actionId: state.actionId, revokedBy: data.revoker.id, channel: data.revoker.channel, reason: data.reason.trim(), revokedAt: meta.now },
    },
  ]);
}

/** True while the standing approval can still cover requests (not revoked, not expired). */
export const isStandingActive = (state: ApprovalState, now: string): boolean =>
  state.status === 'final' && state.standing !== undefined && !state.standing.revoked && parseInstant(now) !== undefined && !isAtOrAfter(now, state.standing.granted.expiresAt);
