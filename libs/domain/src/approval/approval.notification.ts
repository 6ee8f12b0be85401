import { ok } from '../errors';
import { recordBreakGlassNotice } from './approval.break-glass';
import { type Decision, exhaustive } from './approval.checks';
import type { RecordNotification } from './approval.commands';
import { notificationKey } from './approval.evolve';
import type { ApprovalState } from './approval.state';

/** Deliveries the notifier reports: an approval request or a break-glass notice reached someone, or failed to. */

export function recordNotification(command: RecordNotification, state: ApprovalState): Decision {
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
