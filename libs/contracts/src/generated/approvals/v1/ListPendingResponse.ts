// Original file: approvals/v1/decisions.proto

import type { PendingApproval as _approvals_v1_PendingApproval, PendingApproval__Output as _approvals_v1_PendingApproval__Output } from '../../approvals/v1/PendingApproval';

export interface ListPendingResponse {
  'items'?: (_approvals_v1_PendingApproval)[];
}

export interface ListPendingResponse__Output {
  'items': (_approvals_v1_PendingApproval__Output)[];
}
