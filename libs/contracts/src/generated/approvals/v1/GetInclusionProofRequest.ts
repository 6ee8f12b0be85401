// Original file: approvals/v1/audit.proto


export interface GetInclusionProofRequest {
  'actionId'?: (string);
}

export interface GetInclusionProofRequest__Output {
  'actionId': (string);
}
