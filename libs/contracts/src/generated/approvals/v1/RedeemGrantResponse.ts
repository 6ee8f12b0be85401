// Original file: approvals/v1/intake.proto


export interface RedeemGrantResponse {
  'redeemed'?: (boolean);
  /**
   * when not redeemed: REPLAYED, EXPIRED, REVOKED, PARAMETERS_MISMATCH, WRONG_AGENT, UNKNOWN_GRANT, NOT_APPROVED
   */
  'rejectionReason'?: (string);
  'detail'?: (string);
  'actionId'?: (string);
}

export interface RedeemGrantResponse__Output {
  'redeemed': (boolean);
  /**
   * when not redeemed: REPLAYED, EXPIRED, REVOKED, PARAMETERS_MISMATCH, WRONG_AGENT, UNKNOWN_GRANT, NOT_APPROVED
   */
  'rejectionReason': (string);
  'detail': (string);
  'actionId': (string);
}
