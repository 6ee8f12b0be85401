// Original file: approvals/v1/types.proto

import type { ApprovalStep as _approvals_v1_ApprovalStep, ApprovalStep__Output as _approvals_v1_ApprovalStep__Output } from '../../approvals/v1/ApprovalStep';
import type { Vote as _approvals_v1_Vote, Vote__Output as _approvals_v1_Vote__Output } from '../../approvals/v1/Vote';

export interface ApprovalProgress {
  'steps'?: (_approvals_v1_ApprovalStep)[];
  'expiresAt'?: (string);
  'votes'?: (_approvals_v1_Vote)[];
  'denyEndsRequest'?: (boolean);
  /**
   * > 0 when approvers may grant a standing approval
   */
  'standingMaxSeconds'?: (number);
  /**
   * who may take the emergency path, if the policy offers one
   */
  'breakGlassGroups'?: (string)[];
  /**
   * where the policy has the request delivered, e.g. slack:#data-approvals
   */
  'channels'?: (string)[];
}

export interface ApprovalProgress__Output {
  'steps': (_approvals_v1_ApprovalStep__Output)[];
  'expiresAt': (string);
  'votes': (_approvals_v1_Vote__Output)[];
  'denyEndsRequest': (boolean);
  /**
   * > 0 when approvers may grant a standing approval
   */
  'standingMaxSeconds': (number);
  /**
   * who may take the emergency path, if the policy offers one
   */
  'breakGlassGroups': (string)[];
  /**
   * where the policy has the request delivered, e.g. slack:#data-approvals
   */
  'channels': (string)[];
}
