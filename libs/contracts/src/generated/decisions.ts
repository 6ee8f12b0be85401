import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ActionView as _approvals_v1_ActionView, ActionView__Output as _approvals_v1_ActionView__Output } from './approvals/v1/ActionView';
import type { ApprovalProgress as _approvals_v1_ApprovalProgress, ApprovalProgress__Output as _approvals_v1_ApprovalProgress__Output } from './approvals/v1/ApprovalProgress';
import type { ApprovalStep as _approvals_v1_ApprovalStep, ApprovalStep__Output as _approvals_v1_ApprovalStep__Output } from './approvals/v1/ApprovalStep';
import type { BreakGlass as _approvals_v1_BreakGlass, BreakGlass__Output as _approvals_v1_BreakGlass__Output } from './approvals/v1/BreakGlass';
import type { BreakGlassResponse as _approvals_v1_BreakGlassResponse, BreakGlassResponse__Output as _approvals_v1_BreakGlassResponse__Output } from './approvals/v1/BreakGlassResponse';
import type { CastVoteRequest as _approvals_v1_CastVoteRequest, CastVoteRequest__Output as _approvals_v1_CastVoteRequest__Output } from './approvals/v1/CastVoteRequest';
import type { CastVoteResponse as _approvals_v1_CastVoteResponse, CastVoteResponse__Output as _approvals_v1_CastVoteResponse__Output } from './approvals/v1/CastVoteResponse';
import type { DecisionServiceClient as _approvals_v1_DecisionServiceClient, DecisionServiceDefinition as _approvals_v1_DecisionServiceDefinition } from './approvals/v1/DecisionService';
import type { Execution as _approvals_v1_Execution, Execution__Output as _approvals_v1_Execution__Output } from './approvals/v1/Execution';
import type { Grant as _approvals_v1_Grant, Grant__Output as _approvals_v1_Grant__Output } from './approvals/v1/Grant';
import type { InvokeBreakGlassRequest as _approvals_v1_InvokeBreakGlassRequest, InvokeBreakGlassRequest__Output as _approvals_v1_InvokeBreakGlassRequest__Output } from './approvals/v1/InvokeBreakGlassRequest';
import type { ListPendingRequest as _approvals_v1_ListPendingRequest, ListPendingRequest__Output as _approvals_v1_ListPendingRequest__Output } from './approvals/v1/ListPendingRequest';
import type { ListPendingResponse as _approvals_v1_ListPendingResponse, ListPendingResponse__Output as _approvals_v1_ListPendingResponse__Output } from './approvals/v1/ListPendingResponse';
import type { PendingApproval as _approvals_v1_PendingApproval, PendingApproval__Output as _approvals_v1_PendingApproval__Output } from './approvals/v1/PendingApproval';
import type { PolicyEvaluation as _approvals_v1_PolicyEvaluation, PolicyEvaluation__Output as _approvals_v1_PolicyEvaluation__Output } from './approvals/v1/PolicyEvaluation';
import type { Resource as _approvals_v1_Resource, Resource__Output as _approvals_v1_Resource__Output } from './approvals/v1/Resource';
import type { ReviewBreakGlassRequest as _approvals_v1_ReviewBreakGlassRequest, ReviewBreakGlassRequest__Output as _approvals_v1_ReviewBreakGlassRequest__Output } from './approvals/v1/ReviewBreakGlassRequest';
import type { RevokeStandingApprovalRequest as _approvals_v1_RevokeStandingApprovalRequest, RevokeStandingApprovalRequest__Output as _approvals_v1_RevokeStandingApprovalRequest__Output } from './approvals/v1/RevokeStandingApprovalRequest';
import type { RevokeStandingApprovalResponse as _approvals_v1_RevokeStandingApprovalResponse, RevokeStandingApprovalResponse__Output as _approvals_v1_RevokeStandingApprovalResponse__Output } from './approvals/v1/RevokeStandingApprovalResponse';
import type { StandingApproval as _approvals_v1_StandingApproval, StandingApproval__Output as _approvals_v1_StandingApproval__Output } from './approvals/v1/StandingApproval';
import type { StandingRequest as _approvals_v1_StandingRequest, StandingRequest__Output as _approvals_v1_StandingRequest__Output } from './approvals/v1/StandingRequest';
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
      BreakGlassResponse: MessageTypeDefinition<_approvals_v1_BreakGlassResponse, _approvals_v1_BreakGlassResponse__Output>
      BreakGlassVerdict: EnumTypeDefinition
      CastVoteRequest: MessageTypeDefinition<_approvals_v1_CastVoteRequest, _approvals_v1_CastVoteRequest__Output>
      CastVoteResponse: MessageTypeDefinition<_approvals_v1_CastVoteResponse, _approvals_v1_CastVoteResponse__Output>
      /**
       * Approvers decide here (the CLI and API channel). The approver is identified by credentials
       * in gRPC metadata.
       */
      DecisionService: SubtypeConstructor<typeof grpc.Client, _approvals_v1_DecisionServiceClient> & { service: _approvals_v1_DecisionServiceDefinition }
      Execution: MessageTypeDefinition<_approvals_v1_Execution, _approvals_v1_Execution__Output>
      ExecutionStatus: EnumTypeDefinition
      Grant: MessageTypeDefinition<_approvals_v1_Grant, _approvals_v1_Grant__Output>
      InvokeBreakGlassRequest: MessageTypeDefinition<_approvals_v1_InvokeBreakGlassRequest, _approvals_v1_InvokeBreakGlassRequest__Output>
      ListPendingRequest: MessageTypeDefinition<_approvals_v1_ListPendingRequest, _approvals_v1_ListPendingRequest__Output>
      ListPendingResponse: MessageTypeDefinition<_approvals_v1_ListPendingResponse, _approvals_v1_ListPendingResponse__Output>
      PendingApproval: MessageTypeDefinition<_approvals_v1_PendingApproval, _approvals_v1_PendingApproval__Output>
      PolicyEvaluation: MessageTypeDefinition<_approvals_v1_PolicyEvaluation, _approvals_v1_PolicyEvaluation__Output>
      Resource: MessageTypeDefinition<_approvals_v1_Resource, _approvals_v1_Resource__Output>
      ReviewBreakGlassRequest: MessageTypeDefinition<_approvals_v1_ReviewBreakGlassRequest, _approvals_v1_ReviewBreakGlassRequest__Output>
      RevokeStandingApprovalRequest: MessageTypeDefinition<_approvals_v1_RevokeStandingApprovalRequest, _approvals_v1_RevokeStandingApprovalRequest__Output>
      RevokeStandingApprovalResponse: MessageTypeDefinition<_approvals_v1_RevokeStandingApprovalResponse, _approvals_v1_RevokeStandingApprovalResponse__Output>
      StandingApproval: MessageTypeDefinition<_approvals_v1_StandingApproval, _approvals_v1_StandingApproval__Output>
      StandingRequest: MessageTypeDefinition<_approvals_v1_StandingRequest, _approvals_v1_StandingRequest__Output>
      Vote: MessageTypeDefinition<_approvals_v1_Vote, _approvals_v1_Vote__Output>
      VoteDecision: EnumTypeDefinition
    }
  }
}

