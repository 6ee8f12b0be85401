// Original file: approvals/v1/decisions.proto


export interface InvokeBreakGlassRequest {
  'actionId'?: (string);
  /**
   * required: why this cannot wait
   */
  'justification'?: (string);
}

export interface InvokeBreakGlassRequest__Output {
  'actionId': (string);
  /**
   * required: why this cannot wait
   */
  'justification': (string);
}
