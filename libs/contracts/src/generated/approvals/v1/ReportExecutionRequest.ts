// Original file: approvals/v1/intake.proto

import type { ExecutionStatus as _approvals_v1_ExecutionStatus, ExecutionStatus__Output as _approvals_v1_ExecutionStatus__Output } from '../../approvals/v1/ExecutionStatus';

export interface ReportExecutionRequest {
  'actionId'?: (string);
  'grantId'?: (string);
  'status'?: (_approvals_v1_ExecutionStatus);
  'detail'?: (string);
}

export interface ReportExecutionRequest__Output {
  'actionId': (string);
  'grantId': (string);
  'status': (_approvals_v1_ExecutionStatus__Output);
  'detail': (string);
}
