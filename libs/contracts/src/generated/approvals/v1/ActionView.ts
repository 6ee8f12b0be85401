// Original file: approvals/v1/types.proto

import type { ActionStatus as _approvals_v1_ActionStatus, ActionStatus__Output as _approvals_v1_ActionStatus__Output } from '../../approvals/v1/ActionStatus';
import type { Resource as _approvals_v1_Resource, Resource__Output as _approvals_v1_Resource__Output } from '../../approvals/v1/Resource';
import type { PolicyEvaluation as _approvals_v1_PolicyEvaluation, PolicyEvaluation__Output as _approvals_v1_PolicyEvaluation__Output } from '../../approvals/v1/PolicyEvaluation';
import type { ApprovalProgress as _approvals_v1_ApprovalProgress, ApprovalProgress__Output as _approvals_v1_ApprovalProgress__Output } from '../../approvals/v1/ApprovalProgress';
import type { Grant as _approvals_v1_Grant, Grant__Output as _approvals_v1_Grant__Output } from '../../approvals/v1/Grant';
import type { Execution as _approvals_v1_Execution, Execution__Output as _approvals_v1_Execution__Output } from '../../approvals/v1/Execution';
import type { StandingApproval as _approvals_v1_StandingApproval, StandingApproval__Output as _approvals_v1_StandingApproval__Output } from '../../approvals/v1/StandingApproval';
import type { BreakGlass as _approvals_v1_BreakGlass, BreakGlass__Output as _approvals_v1_BreakGlass__Output } from '../../approvals/v1/BreakGlass';
import type { Long } from '@grpc/proto-loader';

/**
 * The current state of one action, folded from its ledger stream.
 */
export interface ActionView {
  'actionId'?: (string);
  'status'?: (_approvals_v1_ActionStatus);
  'agentId'?: (string);
  'model'?: (string);
  'onBehalfOf'?: (string);
  'action'?: (string);
  'resource'?: (_approvals_v1_Resource | null);
  'environment'?: (string);
  'dataClassification'?: (string);
  'parametersJson'?: (string);
  'justification'?: (string);
  'idempotencyKey'?: (string);
  'requestedAt'?: (string);
  'evaluation'?: (_approvals_v1_PolicyEvaluation | null);
  'approval'?: (_approvals_v1_ApprovalProgress | null);
  'decidedAt'?: (string);
  'reason'?: (string);
  'grant'?: (_approvals_v1_Grant | null);
  'execution'?: (_approvals_v1_Execution | null);
  /**
   * stream revision this view reflects
   */
  'revision'?: (number | string | Long);
  'runId'?: (string);
  /**
   * POLICY, APPROVERS, STANDING_APPROVAL or BREAK_GLASS
   */
  'approvedVia'?: (string);
  /**
   * with STANDING_APPROVAL: the action whose approval granted it
   */
  'standingApprovalOf'?: (string);
  'standingApproval'?: (_approvals_v1_StandingApproval | null);
  'breakGlass'?: (_approvals_v1_BreakGlass | null);
  /**
   * SHA-256 (hex) of the RFC 8785 form of the request: what a grant binds
   */
  'requestHash'?: (string);
}

/**
 * The current state of one action, folded from its ledger stream.
 */
export interface ActionView__Output {
  'actionId': (string);
  'status': (_approvals_v1_ActionStatus__Output);
  'agentId': (string);
  'model': (string);
  'onBehalfOf': (string);
  'action': (string);
  'resource': (_approvals_v1_Resource__Output | null);
  'environment': (string);
  'dataClassification': (string);
  'parametersJson': (string);
  'justification': (string);
  'idempotencyKey': (string);
  'requestedAt': (string);
  'evaluation': (_approvals_v1_PolicyEvaluation__Output | null);
  'approval': (_approvals_v1_ApprovalProgress__Output | null);
  'decidedAt': (string);
  'reason': (string);
  'grant': (_approvals_v1_Grant__Output | null);
  'execution': (_approvals_v1_Execution__Output | null);
  /**
   * stream revision this view reflects
   */
  'revision': (string);
  'runId': (string);
  /**
   * POLICY, APPROVERS, STANDING_APPROVAL or BREAK_GLASS
   */
  'approvedVia': (string);
  /**
   * with STANDING_APPROVAL: the action whose approval granted it
   */
  'standingApprovalOf': (string);
  'standingApproval': (_approvals_v1_StandingApproval__Output | null);
  'breakGlass': (_approvals_v1_BreakGlass__Output | null);
  /**
   * SHA-256 (hex) of the RFC 8785 form of the request: what a grant binds
   */
  'requestHash': (string);
}
