import { fail, ok } from '../errors';
import { isAtOrAfter, parseInstant } from '../instant';
import { type Decision, describeOutcome, exhaustive, firstBlank, notFound } from './approval.checks';
import type { CancelAction, IssueGrant, RecordForgedGrant, RedeemGrant, ReportExecution } from './approval.commands';
import type { GrantRedemptionRejected, GrantRejectionReason } from './approval.events';
import type { ApprovalState, FinalState } from './approval.state';

/**
 * Execution grants are single-use and bound to the agent and the exact request (I5). Redeeming
 * consumes the grant; every refused presentation is recorded, because a replayed, stolen or
 * altered grant is exactly what an auditor needs to see.
 */
export function redeemGrant({ data, meta }: RedeemGrant, state: ApprovalState): Decision {
  if (state.status === 'none') return notFound(data.actionId);
  const reject = (reason: GrantRejectionReason, detail: string) => ok([rejection(state.actionId, data.grantId, data.presentedBy, reason, detail, meta.now)]);
  if (state.status !== 'final' || state.outcome !== 'APPROVED' || !state.grant) {
    const where = state.status === 'final' ? describeOutcome(state) : state.status;
    return reject('NOT_APPROVED', `action ${state.actionId} is ${where}: it has no grant to redeem`);
  }
  const grant = state.grant;
  if (data.grantId !== grant.grantId) return reject('UNKNOWN_GRANT', `grant ${data.grantId} is not the grant issued for action ${state.actionId}`);
  if (data.presentedBy !== state.request.agentId) {
    return reject('WRONG_AGENT', `grant ${grant.grantId} was issued to ${state.request.agentId}, not to ${data.presentedBy}`);
  }
  if (data.requestHash !== state.requestHash || data.tokenRequestHash !== state.requestHash) {
    return reject('PARAMETERS_MISMATCH', `the request to execute (hash ${data.requestHash}) is not the approved request (hash ${state.requestHash})`);
  }
  if (grant.revoked) return reject('REVOKED', `grant ${grant.grantId} was revoked by ${grant.revoked.revokedBy} at ${grant.revoked.revokedAt}`);
  const used = usedAt(state);
  if (used) return reject('REPLAYED', `grant ${grant.grantId} was already used at ${used}; a grant is single-use`);
  if (data.tokenExpired || isAtOrAfter(meta.now, grant.expiresAt)) {
    return reject('EXPIRED', `grant ${grant.grantId} expired at ${grant.expiresAt}; request the action again`);
  }
  return ok([
    {
      type: 'ExecutionGrantRedeemed',
      data: { actionId: state.actionId, grantId: grant.grantId, redeemedBy: data.presentedBy, requestHash: data.requestHash, redeemedAt: meta.now },
    },
  ]);
}

/** A grant whose signature did not verify, presented by the owner of the action it names: recorded, never honoured. */
export function recordForgedGrant({ data, meta }: RecordForgedGrant, state: ApprovalState): Decision {
  if (state.status === 'none') return notFound(data.actionId);
  if (data.presentedBy !== state.request.agentId) return notFound(data.actionId);
  return ok([rejection(state.actionId, data.grantId, data.presentedBy, 'INVALID_SIGNATURE', data.detail, meta.now)]);
}

/** The agent withdraws an approved action whose grant it has not used: the grant is void, the outcome stays (I3). */
export function revokeUnusedGrant({ data, meta }: CancelAction, state: FinalState): Decision {
  const grant = state.grant;
  if (state.outcome !== 'APPROVED' || !grant || grant.revoked || usedAt(state)) {
    return fail('ALREADY_FINAL', `action ${state.actionId} is already ${describeOutcome(state)} and cannot be cancelled`);
  }
  return ok([
    { type: 'ExecutionGrantRevoked', data: { actionId: state.actionId, grantId: grant.grantId, revokedBy: data.cancelledBy, reason: data.reason, revokedAt: meta.now } },
  ]);
}

/** When the grant was consumed (redeemed, or execution reported with it), if it was. */
export function usedAt(state: FinalState): string | undefined {
  return state.grant?.redeemed?.redeemedAt ?? state.execution?.reportedAt;
}

function rejection(
  actionId: string,
  grantId: string,
  presentedBy: string,
  reason: GrantRejectionReason,
  detail: string,
  attemptedAt: string,
): GrantRedemptionRejected {
  return { type: 'GrantRedemptionRejected', data: { actionId, grantId, presentedBy, reason, detail, attemptedAt } };
}

export function issueGrant({ data, meta }: IssueGrant, state: ApprovalState): Decision {
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

export function reportExecution({ data, meta }: ReportExecution, state: ApprovalState): Decision {
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
