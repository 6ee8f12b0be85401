// Original file: approvals/v1/intake.proto


export interface AwaitDecisionRequest {
  'actionId'?: (string);
  /**
   * 0 means the server default; also bounded by the call's deadline
   */
  'timeoutMs'?: (number);
}

export interface AwaitDecisionRequest__Output {
  'actionId': (string);
  /**
   * 0 means the server default; also bounded by the call's deadline
   */
  'timeoutMs': (number);
}
