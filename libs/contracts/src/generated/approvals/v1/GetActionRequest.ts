// Original file: approvals/v1/intake.proto


export interface GetActionRequest {
  'actionId'?: (string);
}

export interface GetActionRequest__Output {
  'actionId': (string);
}
