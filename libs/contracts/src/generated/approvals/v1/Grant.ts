// Original file: approvals/v1/types.proto


/**
 * A short-lived, single-use execution grant bound to the approved parameters.
 */
export interface Grant {
  'grantId'?: (string);
  /**
   * compact JWS
   */
  'token'?: (string);
  'expiresAt'?: (string);
  /**
   * when it was consumed by RedeemGrant, if it was
   */
  'redeemedAt'?: (string);
  /**
   * when the agent withdrew the action before using it, if it did
   */
  'revokedAt'?: (string);
}

/**
 * A short-lived, single-use execution grant bound to the approved parameters.
 */
export interface Grant__Output {
  'grantId': (string);
  /**
   * compact JWS
   */
  'token': (string);
  'expiresAt': (string);
  /**
   * when it was consumed by RedeemGrant, if it was
   */
  'redeemedAt': (string);
  /**
   * when the agent withdrew the action before using it, if it did
   */
  'revokedAt': (string);
}
