import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ActionView as _approvals_v1_ActionView, ActionView__Output as _approvals_v1_ActionView__Output } from './approvals/v1/ActionView';
import type { ApprovalProgress as _approvals_v1_ApprovalProgress, ApprovalProgress__Output as _approvals_v1_ApprovalProgress__Output } from './approvals/v1/ApprovalProgress';
import type { ApprovalStep as _approvals_v1_ApprovalStep, ApprovalStep__Output as _approvals_v1_ApprovalStep__Output } from './approvals/v1/ApprovalStep';
import type { AwaitDecisionRequest as _approvals_v1_AwaitDecisionRequest, AwaitDecisionRequest__Output as _approvals_v1_AwaitDecisionRequest__Output } from './approvals/v1/AwaitDecisionRequest';
import type { AwaitDecisionResponse as _approvals_v1_AwaitDecisionResponse, AwaitDecisionResponse__Output as _approvals_v1_AwaitDecisionResponse__Output } from './approvals/v1/AwaitDecisionResponse';
import type { BreakGlass as _approvals_v1_BreakGlass, BreakGlass__Output as _approvals_v1_BreakGlass__Output } from './approvals/v1/BreakGlass';
import type { CancelActionRequest as _approvals_v1_CancelActionRequest, CancelActionRequest__Output as _approvals_v1_CancelActionRequest__Output } from './approvals/v1/CancelActionRequest';
import type { Execution as _approvals_v1_Execution, Execution__Output as _approvals_v1_Execution__Output } from './approvals/v1/Execution';
import type { GetActionRequest as _approvals_v1_GetActionRequest, GetActionRequest__Output as _approvals_v1_GetActionRequest__Output } from './approvals/v1/GetActionRequest';
import type { Grant as _approvals_v1_Grant, Grant__Output as _approvals_v1_Grant__Output } from './approvals/v1/Grant';
import type { IntakeServiceClient as _approvals_v1_IntakeServiceClient, IntakeServiceDefinition as _approvals_v1_IntakeServiceDefinition } from './approvals/v1/IntakeService';
import type { PolicyEvaluation as _approvals_v1_PolicyEvaluation, PolicyEvaluation__Output as _approvals_v1_PolicyEvaluation__Output } from './approvals/v1/PolicyEvaluation';
import type { RedeemGrantRequest as _approvals_v1_RedeemGrantRequest, RedeemGrantRequest__Output as _approvals_v1_RedeemGrantRequest__Output } from './approvals/v1/RedeemGrantRequest';
import type { RedeemGrantResponse as _approvals_v1_RedeemGrantResponse, RedeemGrantResponse__Output as _approvals_v1_RedeemGrantResponse__Output } from './approvals/v1/RedeemGrantResponse';
import type { ReportExecutionRequest as _approvals_v1_ReportExecutionRequest, ReportExecutionRequest__Output as _approvals_v1_ReportExecutionRequest__Output } from './approvals/v1/ReportExecutionRequest';
import type { RequestActionRequest as _approvals_v1_RequestActionRequest, RequestActionRequest__Output as _approvals_v1_RequestActionRequest__Output } from './approvals/v1/RequestActionRequest';
import type { RequestActionResponse as _approvals_v1_RequestActionResponse, RequestActionResponse__Output as _approvals_v1_RequestActionResponse__Output } from './approvals/v1/RequestActionResponse';
import type { Resource as _approvals_v1_Resource, Resource__Output as _approvals_v1_Resource__Output } from './approvals/v1/Resource';
import type { StandingApproval as _approvals_v1_StandingApproval, StandingApproval__Output as _approvals_v1_StandingApproval__Output } from './approvals/v1/StandingApproval';
import type { Vote as _approvals_v1_Vote, Vote__Output as _approvals_v1_Vote__Output } from './approvals/v1/Vote';
import type { WatchActionRequest as _approvals_v1_WatchActionRequest, WatchActionRequest__Output as _approvals_v1_WatchActionRequest__Output } from './approvals/v1/WatchActionRequest';

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
      AwaitDecisionRequest: MessageTypeDefinition<_approvals_v1_AwaitDecisionRequest, _approvals_v1_AwaitDecisionRequest__Output>
      AwaitDecisionResponse: MessageTypeDefinition<_approvals_v1_AwaitDecisionResponse, _approvals_v1_AwaitDecisionResponse__Output>
      BreakGlass: MessageTypeDefinition<_approvals_v1_BreakGlass, _approvals_v1_BreakGlass__Output>
      CancelActionRequest: MessageTypeDefinition<_approvals_v1_CancelActionRequest, _approvals_v1_CancelActionRequest__Output>
      Execution: MessageTypeDefinition<_approvals_v1_Execution, _approvals_v1_Execution__Output>
      ExecutionStatus: EnumTypeDefinition
      GetActionRequest: MessageTypeDefinition<_approvals_v1_GetActionRequest, _approvals_v1_GetActionRequest__Output>
      Grant: MessageTypeDefinition<_approvals_v1_Grant, _approvals_v1_Grant__Output>
      /**
       * Agents ask here before a privileged action. The agent is identified by its credentials
       * (gRPC metadata), never by a field of the request.
       */
      IntakeService: SubtypeConstructor<typeof grpc.Client, _approvals_v1_IntakeServiceClient> & { service: _approvals_v1_IntakeServiceDefinition }
      PolicyEvaluation: MessageTypeDefinition<_approvals_v1_PolicyEvaluation, _approvals_v1_PolicyEvaluation__Output>
      RedeemGrantRequest: MessageTypeDefinition<_approvals_v1_RedeemGrantRequest, _approvals_v1_RedeemGrantRequest__Output>
      RedeemGrantResponse: MessageTypeDefinition<_approvals_v1_RedeemGrantResponse, _approvals_v1_RedeemGrantResponse__Output>
      ReportExecutionRequest: MessageTypeDefinition<_approvals_v1_ReportExecutionRequest, _approvals_v1_ReportExecutionRequest__Output>
      RequestActionRequest: MessageTypeDefinition<_approvals_v1_RequestActionRequest, _approvals_v1_RequestActionRequest__Output>
      RequestActionResponse: MessageTypeDefinition<_approvals_v1_RequestActionResponse, _approvals_v1_RequestActionResponse__Output>
      Resource: MessageTypeDefinition<_approvals_v1_Resource, _approvals_v1_Resource__Output>
      StandingApproval: MessageTypeDefinition<_approvals_v1_StandingApproval, _approvals_v1_StandingApproval__Output>
      Vote: MessageTypeDefinition<_approvals_v1_Vote, _approvals_v1_Vote__Output>
      VoteDecision: EnumTypeDefinition
      WatchActionRequest: MessageTypeDefinition<_approvals_v1_WatchActionRequest, _approvals_v1_WatchActionRequest__Output>
    }
  }
}

