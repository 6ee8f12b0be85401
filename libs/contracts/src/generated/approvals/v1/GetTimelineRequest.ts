// Original file: approvals/v1/audit.proto


export interface GetTimelineRequest {
  'actionId'?: (string);
}

export interface GetTimelineRequest__Output {
  'actionId': (string);
}
