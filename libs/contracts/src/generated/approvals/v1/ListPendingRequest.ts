// Original file: approvals/v1/decisions.proto


export interface ListPendingRequest {
  /**
   * only requests the caller may vote on
   */
  'onlyMine'?: (boolean);
  'limit'?: (number);
}

export interface ListPendingRequest__Output {
  /**
   * only requests the caller may vote on
   */
  'onlyMine': (boolean);
  'limit': (number);
}
