import { type Decision, describeOutcome, notFound } from './approval.checks';
import type { CancelAction, RecordForgedGrant, RedeemGrant } from './approval.commands';
import type { GrantRedemptionRejected, GrantRejectionReason } from './approval.events';
import type { ApprovalState, FinalState } from './approval.state';
import { fail, ok } from '../errors';
import { isAtOrAfter } from '../instant';

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
