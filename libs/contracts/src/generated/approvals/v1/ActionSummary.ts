// Original file: approvals/v1/audit.proto

import type { ActionStatus as _approvals_v1_ActionStatus, ActionStatus__Output as _approvals_v1_ActionStatus__Output } from '../../approvals/v1/ActionStatus';
import type { Resource as _approvals_v1_Resource, Resource__Output as _approvals_v1_Resource__Output } from '../../approvals/v1/Resource';

export interface ActionSummary {
  'actionId'?: (string);
  'status'?: (_approvals_v1_ActionStatus);
  'agentId'?: (string);
  'onBehalfOf'?: (string);
  'action'?: (string);
  'resource'?: (_approvals_v1_Resource | null);
  'environment'?: (string);
  'requestedAt'?: (string);
  'decidedAt'?: (string);
  'approvedBy'?: (string)[];
  'policyVersion'?: (string);
  'reason'?: (string);
}

export interface ActionSummary__Output {
  'actionId': (string);
  'status': (_approvals_v1_ActionStatus__Output);
  'agentId': (string);
  'onBehalfOf': (string);
  'action': (string);
  'resource': (_approvals_v1_Resource__Output | null);
  'environment': (string);
  'requestedAt': (string);
  'decidedAt': (string);
  'approvedBy': (string)[];
  'policyVersion': (string);
  'reason': (string);
}
