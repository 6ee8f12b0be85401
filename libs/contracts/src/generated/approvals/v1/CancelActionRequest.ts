// Original file: approvals/v1/intake.proto


export interface CancelActionRequest {
  'actionId'?: (string);
  'reason'?: (string);
}

export interface CancelActionRequest__Output {
  'actionId': (string);
  'reason': (string);
}
