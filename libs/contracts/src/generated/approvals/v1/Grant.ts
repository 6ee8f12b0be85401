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
}
