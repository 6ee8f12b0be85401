import { fail, ok } from '../errors';
import { isAtOrAfter } from '../instant';
import { type Decision, exhaustive, firstBlank, isNonBlank, notFound } from './approval.checks';
import type { CancelAction, RequestAction } from './approval.commands';
import type { ApprovalEvent } from './approval.events';
import { expired } from './approval.expiry';
import { revokeUnusedGrant } from './approval.grant';
import type { ApprovalState } from './approval.state';

/** The agent's own commands: asking for an action (idempotently, I7) and withdrawing it. */

export function requestAction({ data, meta }: RequestAction, state: ApprovalState): Decision {
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

export function cancelAction(command: CancelAction, state: ApprovalState): Decision {
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
