// Original file: approvals/v1/intake.proto


export interface RedeemGrantRequest {
  /**
   * the grant (compact JWS) from the approved action's view
   */
  'token'?: (string);
  /**
   * SHA-256 (hex) of the RFC 8785 form of the request about to run
   */
  'requestHash'?: (string);
}

export interface RedeemGrantRequest__Output {
  /**
   * the grant (compact JWS) from the approved action's view
   */
  'token': (string);
  /**
   * SHA-256 (hex) of the RFC 8785 form of the request about to run
   */
  'requestHash': (string);
}
