// Original file: approvals/v1/decisions.proto


export interface StandingRequest {
  /**
   * how long; at most what the policy allows
   */
  'seconds'?: (number);
  /**
   * only requests that carry the same run_id
   */
  'thisRunOnly'?: (boolean);
}

export interface StandingRequest__Output {
  /**
   * how long; at most what the policy allows
   */
  'seconds': (number);
  /**
   * only requests that carry the same run_id
   */
  'thisRunOnly': (boolean);
}
