// Original file: approvals/v1/audit.proto

import type { ActionSummary as _approvals_v1_ActionSummary, ActionSummary__Output as _approvals_v1_ActionSummary__Output } from '../../approvals/v1/ActionSummary';

export interface SearchActionsResponse {
  'items'?: (_approvals_v1_ActionSummary)[];
  'nextPageToken'?: (string);
}

export interface SearchActionsResponse__Output {
  'items': (_approvals_v1_ActionSummary__Output)[];
  'nextPageToken': (string);
}
