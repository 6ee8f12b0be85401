import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ActionSummary as _approvals_v1_ActionSummary, ActionSummary__Output as _approvals_v1_ActionSummary__Output } from './approvals/v1/ActionSummary';
import type { ActionView as _approvals_v1_ActionView, ActionView__Output as _approvals_v1_ActionView__Output } from './approvals/v1/ActionView';
import type { ApprovalProgress as _approvals_v1_ApprovalProgress, ApprovalProgress__Output as _approvals_v1_ApprovalProgress__Output } from './approvals/v1/ApprovalProgress';
import type { ApprovalStep as _approvals_v1_ApprovalStep, ApprovalStep__Output as _approvals_v1_ApprovalStep__Output } from './approvals/v1/ApprovalStep';
import type { AuditServiceClient as _approvals_v1_AuditServiceClient, AuditServiceDefinition as _approvals_v1_AuditServiceDefinition } from './approvals/v1/AuditService';
import type { BreakGlass as _approvals_v1_BreakGlass, BreakGlass__Output as _approvals_v1_BreakGlass__Output } from './approvals/v1/BreakGlass';
import type { ConsistencyProof as _approvals_v1_ConsistencyProof, ConsistencyProof__Output as _approvals_v1_ConsistencyProof__Output } from './approvals/v1/ConsistencyProof';
import type { Execution as _approvals_v1_Execution, Execution__Output as _approvals_v1_Execution__Output } from './approvals/v1/Execution';
import type { GetConsistencyProofRequest as _approvals_v1_GetConsistencyProofRequest, GetConsistencyProofRequest__Output as _approvals_v1_GetConsistencyProofRequest__Output } from './approvals/v1/GetConsistencyProofRequest';
import type { GetInclusionProofRequest as _approvals_v1_GetInclusionProofRequest, GetInclusionProofRequest__Output as _approvals_v1_GetInclusionProofRequest__Output } from './approvals/v1/GetInclusionProofRequest';
import type { GetPolicyHistoryRequest as _approvals_v1_GetPolicyHistoryRequest, GetPolicyHistoryRequest__Output as _approvals_v1_GetPolicyHistoryRequest__Output } from './approvals/v1/GetPolicyHistoryRequest';
import type { GetTimelineRequest as _approvals_v1_GetTimelineRequest, GetTimelineRequest__Output as _approvals_v1_GetTimelineRequest__Output } from './approvals/v1/GetTimelineRequest';
import type { Grant as _approvals_v1_Grant, Grant__Output as _approvals_v1_Grant__Output } from './approvals/v1/Grant';
import type { InclusionProof as _approvals_v1_InclusionProof, InclusionProof__Output as _approvals_v1_InclusionProof__Output } from './approvals/v1/InclusionProof';
import type { PolicyActivation as _approvals_v1_PolicyActivation, PolicyActivation__Output as _approvals_v1_PolicyActivation__Output } from './approvals/v1/PolicyActivation';
import type { PolicyEvaluation as _approvals_v1_PolicyEvaluation, PolicyEvaluation__Output as _approvals_v1_PolicyEvaluation__Output } from './approvals/v1/PolicyEvaluation';
import type { PolicyFile as _approvals_v1_PolicyFile, PolicyFile__Output as _approvals_v1_PolicyFile__Output } from './approvals/v1/PolicyFile';
import type { PolicyHistory as _approvals_v1_PolicyHistory, PolicyHistory__Output as _approvals_v1_PolicyHistory__Output } from './approvals/v1/PolicyHistory';
import type { Resource as _approvals_v1_Resource, Resource__Output as _approvals_v1_Resource__Output } from './approvals/v1/Resource';
import type { SearchActionsRequest as _approvals_v1_SearchActionsRequest, SearchActionsRequest__Output as _approvals_v1_SearchActionsRequest__Output } from './approvals/v1/SearchActionsRequest';
import type { SearchActionsResponse as _approvals_v1_SearchActionsResponse, SearchActionsResponse__Output as _approvals_v1_SearchActionsResponse__Output } from './approvals/v1/SearchActionsResponse';
import type { StandingApproval as _approvals_v1_StandingApproval, StandingApproval__Output as _approvals_v1_StandingApproval__Output } from './approvals/v1/StandingApproval';
import type { Timeline as _approvals_v1_Timeline, Timeline__Output as _approvals_v1_Timeline__Output } from './approvals/v1/Timeline';
import type { TimelineEntry as _approvals_v1_TimelineEntry, TimelineEntry__Output as _approvals_v1_TimelineEntry__Output } from './approvals/v1/TimelineEntry';
import type { Vote as _approvals_v1_Vote, Vote__Output as _approvals_v1_Vote__Output } from './approvals/v1/Vote';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  approvals: {
    v1: {
      ActionStatus: EnumTypeDefinition
      ActionSummary: MessageTypeDefinition<_approvals_v1_ActionSummary, _approvals_v1_ActionSummary__Output>
      ActionView: MessageTypeDefinition<_approvals_v1_ActionView, _approvals_v1_ActionView__Output>
      ApprovalProgress: MessageTypeDefinition<_approvals_v1_ApprovalProgress, _approvals_v1_ApprovalProgress__Output>
      ApprovalStep: MessageTypeDefinition<_approvals_v1_ApprovalStep, _approvals_v1_ApprovalStep__Output>
      /**
       * Auditors read the ledger's projection here.
       */
      AuditService: SubtypeConstructor<typeof grpc.Client, _approvals_v1_AuditServiceClient> & { service: _approvals_v1_AuditServiceDefinition }
      BreakGlass: MessageTypeDefinition<_approvals_v1_BreakGlass, _approvals_v1_BreakGlass__Output>
      ConsistencyProof: MessageTypeDefinition<_approvals_v1_ConsistencyProof, _approvals_v1_ConsistencyProof__Output>
      Execution: MessageTypeDefinition<_approvals_v1_Execution, _approvals_v1_Execution__Output>
      ExecutionStatus: EnumTypeDefinition
      GetConsistencyProofRequest: MessageTypeDefinition<_approvals_v1_GetConsistencyProofRequest, _approvals_v1_GetConsistencyProofRequest__Output>
      GetInclusionProofRequest: MessageTypeDefinition<_approvals_v1_GetInclusionProofRequest, _approvals_v1_GetInclusionProofRequest__Output>
      GetPolicyHistoryRequest: MessageTypeDefinition<_approvals_v1_GetPolicyHistoryRequest, _approvals_v1_GetPolicyHistoryRequest__Output>
      GetTimelineRequest: MessageTypeDefinition<_approvals_v1_GetTimelineRequest, _approvals_v1_GetTimelineRequest__Output>
      Grant: MessageTypeDefinition<_approvals_v1_Grant, _approvals_v1_Grant__Output>
      InclusionProof: MessageTypeDefinition<_approvals_v1_InclusionProof, _approvals_v1_InclusionProof__Output>
      PolicyActivation: MessageTypeDefinition<_approvals_v1_PolicyActivation, _approvals_v1_PolicyActivation__Output>
      PolicyEvaluation: MessageTypeDefinition<_approvals_v1_PolicyEvaluation, _approvals_v1_PolicyEvaluation__Output>
      PolicyFile: MessageTypeDefinition<_approvals_v1_PolicyFile, _approvals_v1_PolicyFile__Output>
      PolicyHistory: MessageTypeDefinition<_approvals_v1_PolicyHistory, _approvals_v1_PolicyHistory__Output>
      Resource: MessageTypeDefinition<_approvals_v1_Resource, _approvals_v1_Resource__Output>
      SearchActionsRequest: MessageTypeDefinition<_approvals_v1_SearchActionsRequest, _approvals_v1_SearchActionsRequest__Output>
      SearchActionsResponse: MessageTypeDefinition<_approvals_v1_SearchActionsResponse, _approvals_v1_SearchActionsResponse__Output>
      StandingApproval: MessageTypeDefinition<_approvals_v1_StandingApproval, _approvals_v1_StandingApproval__Output>
      Timeline: MessageTypeDefinition<_approvals_v1_Timeline, _approvals_v1_Timeline__Output>
      TimelineEntry: MessageTypeDefinition<_approvals_v1_TimelineEntry, _approvals_v1_TimelineEntry__Output>
      Vote: MessageTypeDefinition<_approvals_v1_Vote, _approvals_v1_Vote__Output>
      VoteDecision: EnumTypeDefinition
    }
  }
}

