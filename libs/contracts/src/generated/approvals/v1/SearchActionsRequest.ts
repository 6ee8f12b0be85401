// Original file: approvals/v1/audit.proto

import type { ActionStatus as _approvals_v1_ActionStatus, ActionStatus__Output as _approvals_v1_ActionStatus__Output } from '../../approvals/v1/ActionStatus';

export interface SearchActionsRequest {
  'agentId'?: (string);
  'action'?: (string);
  'status'?: (_approvals_v1_ActionStatus);
  'environment'?: (string);
  'approverId'?: (string);
  /**
   * ISO-8601
   */
  'requestedAfter'?: (string);
  /**
   * ISO-8601
   */
  'requestedBefore'?: (string);
  /**
   * default 50, at most 500
   */
  'limit'?: (number);
  'pageToken'?: (string);
}

export interface SearchActionsRequest__Output {
  'agentId': (string);
  'action': (string);
  'status': (_approvals_v1_ActionStatus__Output);
  'environment': (string);
  'approverId': (string);
  /**
   * ISO-8601
   */
  'requestedAfter': (string);
  /**
   * ISO-8601
   */
  'requestedBefore': (string);
  /**
   * default 50, at most 500
   */
  'limit': (number);
  'pageToken': (string);
}
