// Original file: approvals/v1/types.proto


/**
 * A standing approval granted by this action's approval.
 */
export interface StandingApproval {
  /**
   * DURATION or RUN
   */
  'scope'?: (string);
  'runId'?: (string);
  'approvedBy'?: (string)[];
  'grantedAt'?: (string);
  'expiresAt'?: (string);
  'revokedAt'?: (string);
  'revokedBy'?: (string);
}

/**
 * A standing approval granted by this action's approval.
 */
export interface StandingApproval__Output {
  /**
   * DURATION or RUN
   */
  'scope': (string);
  'runId': (string);
  'approvedBy': (string)[];
  'grantedAt': (string);
  'expiresAt': (string);
  'revokedAt': (string);
  'revokedBy': (string);
}
