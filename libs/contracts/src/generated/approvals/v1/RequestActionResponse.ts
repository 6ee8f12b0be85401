// Original file: approvals/v1/intake.proto

import type { ActionStatus as _approvals_v1_ActionStatus, ActionStatus__Output as _approvals_v1_ActionStatus__Output } from '../../approvals/v1/ActionStatus';

export interface RequestActionResponse {
  'actionId'?: (string);
  'status'?: (_approvals_v1_ActionStatus);
  /**
   * false when an earlier request with the same key was returned
   */
  'created'?: (boolean);
}

export interface RequestActionResponse__Output {
  'actionId': (string);
  'status': (_approvals_v1_ActionStatus__Output);
  /**
   * false when an earlier request with the same key was returned
   */
  'created': (boolean);
}
