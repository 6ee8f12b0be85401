import { ok } from '../errors';
import { addSeconds, isAtOrAfter } from '../instant';
import { type Decision, exhaustive, notFound } from './approval.checks';
import type { EscalateApproval, ExpireApproval, ExpireUnevaluated } from './approval.commands';
import type { ActionExpired } from './approval.events';
import type { ApprovalState, AwaitingApprovalState } from './approval.state';

/** Time running out: escalation to fallback groups, and expiry when nobody decided (fail closed, I4). */

/** Records each escalation step whose time has come, in order, once; never at or past the deadline. */
export function escalateApproval({ data, meta }: EscalateApproval, state: ApprovalState): Decision {
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

export function expireApproval({ data, meta }: ExpireApproval, state: ApprovalState): Decision {
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

export function expireUnevaluated({ data, meta }: ExpireUnevaluated, state: ApprovalState): Decision {
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

export function expired(state: AwaitingApprovalState, now: string): ActionExpired {
  return { type: 'ActionExpired', data: { actionId: state.actionId, expiresAt: state.expiresAt, expiredAt: now } };
}
