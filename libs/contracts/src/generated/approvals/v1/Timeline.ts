// Original file: approvals/v1/audit.proto

import type { ActionStatus as _approvals_v1_ActionStatus, ActionStatus__Output as _approvals_v1_ActionStatus__Output } from '../../approvals/v1/ActionStatus';
import type { TimelineEntry as _approvals_v1_TimelineEntry, TimelineEntry__Output as _approvals_v1_TimelineEntry__Output } from '../../approvals/v1/TimelineEntry';

export interface Timeline {
  'actionId'?: (string);
  'status'?: (_approvals_v1_ActionStatus);
  'entries'?: (_approvals_v1_TimelineEntry)[];
}

export interface Timeline__Output {
  'actionId': (string);
  'status': (_approvals_v1_ActionStatus__Output);
  'entries': (_approvals_v1_TimelineEntry__Output)[];
}
