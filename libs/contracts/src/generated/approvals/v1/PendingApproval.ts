// Original file: approvals/v1/decisions.proto

import type { Resource as _approvals_v1_Resource, Resource__Output as _approvals_v1_Resource__Output } from '../../approvals/v1/Resource';
import type { ApprovalStep as _approvals_v1_ApprovalStep, ApprovalStep__Output as _approvals_v1_ApprovalStep__Output } from '../../approvals/v1/ApprovalStep';

export interface PendingApproval {
  'actionId'?: (string);
  'agentId'?: (string);
  'onBehalfOf'?: (string);
  'action'?: (string);
  'resource'?: (_approvals_v1_Resource | null);
  'environment'?: (string);
  'justification'?: (string);
  'steps'?: (_approvals_v1_ApprovalStep)[];
  'approvedBy'?: (string)[];
  'requestedAt'?: (string);
  'expiresAt'?: (string);
  'reasons'?: (string)[];
  /**
   * APPROVAL, or BREAK_GLASS_REVIEW (steps are then the review groups)
   */
  'kind'?: (string);
  /**
   * with BREAK_GLASS_REVIEW: who broke the glass
   */
  'invokedBy'?: (string);
  'breakGlassJustification'?: (string);
}

export interface PendingApproval__Output {
  'actionId': (string);
  'agentId': (string);
  'onBehalfOf': (string);
  'action': (string);
  'resource': (_approvals_v1_Resource__Output | null);
  'environment': (string);
  'justification': (string);
  'steps': (_approvals_v1_ApprovalStep__Output)[];
  'approvedBy': (string)[];
  'requestedAt': (string);
  'expiresAt': (string);
  'reasons': (string)[];
  /**
   * APPROVAL, or BREAK_GLASS_REVIEW (steps are then the review groups)
   */
  'kind': (string);
  /**
   * with BREAK_GLASS_REVIEW: who broke the glass
   */
  'invokedBy': (string);
  'breakGlassJustification': (string);
}
