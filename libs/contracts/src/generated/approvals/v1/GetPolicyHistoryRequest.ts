// Original file: approvals/v1/audit.proto


export interface GetPolicyHistoryRequest {
  /**
   * only the activations of this policy set version (empty: all)
   */
  'version'?: (string);
  /**
   * with the files of each version (schema first)
   */
  'includeFiles'?: (boolean);
}

export interface GetPolicyHistoryRequest__Output {
  /**
   * only the activations of this policy set version (empty: all)
   */
  'version': (string);
  /**
   * with the files of each version (schema first)
   */
  'includeFiles': (boolean);
}
