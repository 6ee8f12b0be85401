// Original file: approvals/v1/decisions.proto


export interface RevokeStandingApprovalRequest {
  /**
   * the action whose approval granted it
   */
  'actionId'?: (string);
  'reason'?: (string);
}

export interface RevokeStandingApprovalRequest__Output {
  /**
   * the action whose approval granted it
   */
  'actionId': (string);
  'reason': (string);
}
