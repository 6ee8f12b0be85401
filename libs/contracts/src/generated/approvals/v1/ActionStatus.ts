// Original file: approvals/v1/types.proto

export const ActionStatus = {
  ACTION_STATUS_UNSPECIFIED: 'ACTION_STATUS_UNSPECIFIED',
  /**
   * requested, policy not evaluated yet
   */
  PENDING_POLICY: 'PENDING_POLICY',
  /**
   * waiting for human votes until expires_at
   */
  AWAITING_APPROVAL: 'AWAITING_APPROVAL',
  APPROVED: 'APPROVED',
  DENIED: 'DENIED',
  EXPIRED: 'EXPIRED',
  CANCELLED: 'CANCELLED',
} as const;

export type ActionStatus =
  | 'ACTION_STATUS_UNSPECIFIED'
  | 0
  /**
   * requested, policy not evaluated yet
   */
  | 'PENDING_POLICY'
  | 1
  /**
   * waiting for human votes until expires_at
   */
  | 'AWAITING_APPROVAL'
  | 2
  | 'APPROVED'
  | 3
  | 'DENIED'
  | 4
  | 'EXPIRED'
  | 5
  | 'CANCELLED'
  | 6

export type ActionStatus__Output = typeof ActionStatus[keyof typeof ActionStatus]
