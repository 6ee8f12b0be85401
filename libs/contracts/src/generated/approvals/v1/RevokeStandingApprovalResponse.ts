// Original file: approvals/v1/decisions.proto

import type { ActionStatus as _approvals_v1_ActionStatus, ActionStatus__Output as _approvals_v1_ActionStatus__Output } from '../../approvals/v1/ActionStatus';

export interface RevokeStandingApprovalResponse {
  'status'?: (_approvals_v1_ActionStatus);
}

export interface RevokeStandingApprovalResponse__Output {
  'status': (_approvals_v1_ActionStatus__Output);
}
