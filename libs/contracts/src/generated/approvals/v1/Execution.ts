// Original file: approvals/v1/types.proto

import type { ExecutionStatus as _approvals_v1_ExecutionStatus, ExecutionStatus__Output as _approvals_v1_ExecutionStatus__Output } from '../../approvals/v1/ExecutionStatus';

export interface Execution {
  'grantId'?: (string);
  'status'?: (_approvals_v1_ExecutionStatus);
  'detail'?: (string);
  'reportedAt'?: (string);
}

export interface Execution__Output {
  'grantId': (string);
  'status': (_approvals_v1_ExecutionStatus__Output);
  'detail': (string);
  'reportedAt': (string);
}
