// Original file: approvals/v1/decisions.proto

import type { ActionStatus as _approvals_v1_ActionStatus, ActionStatus__Output as _approvals_v1_ActionStatus__Output } from '../../approvals/v1/ActionStatus';

export interface CastVoteResponse {
  'accepted'?: (boolean);
  /**
   * SELF_APPROVAL, NOT_ELIGIBLE, DUPLICATE_VOTE, EXPIRED, ...
   */
  'rejectionReason'?: (string);
  'detail'?: (string);
  /**
   * the action's status after the vote
   */
  'status'?: (_approvals_v1_ActionStatus);
}

export interface CastVoteResponse__Output {
  'accepted': (boolean);
  /**
   * SELF_APPROVAL, NOT_ELIGIBLE, DUPLICATE_VOTE, EXPIRED, ...
   */
  'rejectionReason': (string);
  'detail': (string);
  /**
   * the action's status after the vote
   */
  'status': (_approvals_v1_ActionStatus__Output);
}
