import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ActionView as _approvals_v1_ActionView, ActionView__Output as _approvals_v1_ActionView__Output } from './approvals/v1/ActionView';
import type { ApprovalProgress as _approvals_v1_ApprovalProgress, ApprovalProgress__Output as _approvals_v1_ApprovalProgress__Output } from './approvals/v1/ApprovalProgress';
import type { ApprovalStep as _approvals_v1_ApprovalStep, ApprovalStep__Output as _approvals_v1_ApprovalStep__Output } from './approvals/v1/ApprovalStep';
import type { BreakGlass as _approvals_v1_BreakGlass, BreakGlass__Output as _approvals_v1_BreakGlass__Output } from './approvals/v1/BreakGlass';
import type { Execution as _approvals_v1_Execution, Execution__Output as _approvals_v1_Execution__Output } from './approvals/v1/Execution';
import type { Grant as _approvals_v1_Grant, Grant__Output as _approvals_v1_Grant__Output } from './approvals/v1/Grant';
import type { PolicyEvaluation as _approvals_v1_PolicyEvaluation, PolicyEvaluation__Output as _approvals_v1_PolicyEvaluation__Output } from './approvals/v1/PolicyEvaluation';
import type { Resource as _approvals_v1_Resource, Resource__Output as _approvals_v1_Resource__Output } from './approvals/v1/Resource';
import type { StandingApproval as _approvals_v1_StandingApproval, StandingApproval__Output as _approvals_v1_StandingApproval__Output } from './approvals/v1/StandingApproval';
import type { Vote as _approvals_v1_Vote, Vote__Output as _approvals_v1_Vote__Output } from './approvals/v1/Vote';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  approvals: {
    v1: {
      ActionStatus: EnumTypeDefinition
      ActionView: MessageTypeDefinition<_approvals_v1_ActionView, _approvals_v1_ActionView__Output>
      ApprovalProgress: MessageTypeDefinition<_approvals_v1_ApprovalProgress, _approvals_v1_ApprovalProgress__Output>
      ApprovalStep: MessageTypeDefinition<_approvals_v1_ApprovalStep, _approvals_v1_ApprovalStep__Output>
      BreakGlass: MessageTypeDefinition<_approvals_v1_BreakGlass, _approvals_v1_BreakGlass__Output>
      Execution: MessageTypeDefinition<_approvals_v1_Execution, _approvals_v1_Execution__Output>
      ExecutionStatus: EnumTypeDefinition
      Grant: MessageTypeDefinition<_approvals_v1_Grant, _approvals_v1_Grant__Output>
      PolicyEvaluation: MessageTypeDefinition<_approvals_v1_PolicyEvaluation, _approvals_v1_PolicyEvaluation__Output>
      Resource: MessageTypeDefinition<_approvals_v1_Resource, _approvals_v1_Resource__Output>
      StandingApproval: MessageTypeDefinition<_approvals_v1_StandingApproval, _approvals_v1_StandingApproval__Output>
      Vote: MessageTypeDefinition<_approvals_v1_Vote, _approvals_v1_Vote__Output>
      VoteDecision: EnumTypeDefinition
    }
  }
}

