// Original file: approvals/v1/intake.proto


export interface WatchActionRequest {
  'actionId'?: (string);
}

export interface WatchActionRequest__Output {
  'actionId': (string);
}
