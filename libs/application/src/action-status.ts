import type { ActionStatus__Output } from '@approvals/contracts';
import type { ApprovalState } from '@approvals/domain';

/** The one mapping from aggregate state to the API's ActionStatus. */
export function actionStatusOf(state: ApprovalState): ActionStatus__Output {
  switch (state.status) {
    case 'none':
      return 'ACTION_STATUS_UNSPECIFIED';
    case 'requested':
      return 'PENDING_POLICY';
    case 'awaiting_approval':
      return 'AWAITING_APPROVAL';
    case 'final':
      return state.outcome;
    default: {
      const never: never = state;
      return never;
    }
  }
}
