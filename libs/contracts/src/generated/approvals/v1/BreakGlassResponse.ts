// Original file: approvals/v1/decisions.proto

import type { ActionStatus as _approvals_v1_ActionStatus, ActionStatus__Output as _approvals_v1_ActionStatus__Output } from '../../approvals/v1/ActionStatus';

export interface BreakGlassResponse {
  'accepted'?: (boolean);
  /**
   * NOT_OFFERED, NOT_ELIGIBLE, SELF_APPROVAL, SELF_REVIEW (recorded in the ledger)
   */
  'rejectionReason'?: (string);
  'detail'?: (string);
  'status'?: (_approvals_v1_ActionStatus);
}

export interface BreakGlassResponse__Output {
  'accepted': (boolean);
  /**
   * NOT_OFFERED, NOT_ELIGIBLE, SELF_APPROVAL, SELF_REVIEW (recorded in the ledger)
   */
  'rejectionReason': (string);
  'detail': (string);
  'status': (_approvals_v1_ActionStatus__Output);
}
