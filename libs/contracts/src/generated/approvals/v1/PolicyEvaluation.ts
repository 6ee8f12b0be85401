// Original file: approvals/v1/types.proto


export interface PolicyEvaluation {
  /**
   * ALLOW, DENY or REQUIRE_APPROVAL
   */
  'outcome'?: (string);
  'policyVersion'?: (string);
  'determiningPolicies'?: (string)[];
  'reasons'?: (string)[];
  'evaluatedAt'?: (string);
}

export interface PolicyEvaluation__Output {
  /**
   * ALLOW, DENY or REQUIRE_APPROVAL
   */
  'outcome': (string);
  'policyVersion': (string);
  'determiningPolicies': (string)[];
  'reasons': (string)[];
  'evaluatedAt': (string);
}
