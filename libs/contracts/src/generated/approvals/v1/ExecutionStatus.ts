// Original file: approvals/v1/types.proto

export const ExecutionStatus = {
  EXECUTION_STATUS_UNSPECIFIED: 'EXECUTION_STATUS_UNSPECIFIED',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
} as const;

export type ExecutionStatus =
  | 'EXECUTION_STATUS_UNSPECIFIED'
  | 0
  | 'SUCCEEDED'
  | 1
  | 'FAILED'
  | 2

export type ExecutionStatus__Output = typeof ExecutionStatus[keyof typeof ExecutionStatus]
