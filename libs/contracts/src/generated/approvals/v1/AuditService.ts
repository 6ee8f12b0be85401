// Original file: approvals/v1/audit.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ConsistencyProof as _approvals_v1_ConsistencyProof, ConsistencyProof__Output as _approvals_v1_ConsistencyProof__Output } from '../../approvals/v1/ConsistencyProof';
import type { GetConsistencyProofRequest as _approvals_v1_GetConsistencyProofRequest, GetConsistencyProofRequest__Output as _approvals_v1_GetConsistencyProofRequest__Output } from '../../approvals/v1/GetConsistencyProofRequest';
import type { GetInclusionProofRequest as _approvals_v1_GetInclusionProofRequest, GetInclusionProofRequest__Output as _approvals_v1_GetInclusionProofRequest__Output } from '../../approvals/v1/GetInclusionProofRequest';
import type { GetPolicyHistoryRequest as _approvals_v1_GetPolicyHistoryRequest, GetPolicyHistoryRequest__Output as _approvals_v1_GetPolicyHistoryRequest__Output } from '../../approvals/v1/GetPolicyHistoryRequest';
import type { GetTimelineRequest as _approvals_v1_GetTimelineRequest, GetTimelineRequest__Output as _approvals_v1_GetTimelineRequest__Output } from '../../approvals/v1/GetTimelineRequest';
import type { InclusionProof as _approvals_v1_InclusionProof, InclusionProof__Output as _approvals_v1_InclusionProof__Output } from '../../approvals/v1/InclusionProof';
import type { PolicyHistory as _approvals_v1_PolicyHistory, PolicyHistory__Output as _approvals_v1_PolicyHistory__Output } from '../../approvals/v1/PolicyHistory';
import type { SearchActionsRequest as _approvals_v1_SearchActionsRequest, SearchActionsRequest__Output as _approvals_v1_SearchActionsRequest__Output } from '../../approvals/v1/SearchActionsRequest';
import type { SearchActionsResponse as _approvals_v1_SearchActionsResponse, SearchActionsResponse__Output as _approvals_v1_SearchActionsResponse__Output } from '../../approvals/v1/SearchActionsResponse';
import type { Timeline as _approvals_v1_Timeline, Timeline__Output as _approvals_v1_Timeline__Output } from '../../approvals/v1/Timeline';

/**
 * Auditors read the ledger's projection here.
 */
export interface AuditServiceClient extends grpc.Client {
  /**
   * Proof that the tree of one signed checkpoint extends the tree of an earlier one.
   */
  GetConsistencyProof(argument: _approvals_v1_GetConsistencyProofRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  GetConsistencyProof(argument: _approvals_v1_GetConsistencyProofRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  GetConsistencyProof(argument: _approvals_v1_GetConsistencyProofRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  GetConsistencyProof(argument: _approvals_v1_GetConsistencyProofRequest, callback: grpc.requestCallback<_approvals_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  /**
   * Proof that the tree of one signed checkpoint extends the tree of an earlier one.
   */
  getConsistencyProof(argument: _approvals_v1_GetConsistencyProofRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  getConsistencyProof(argument: _approvals_v1_GetConsistencyProofRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  getConsistencyProof(argument: _approvals_v1_GetConsistencyProofRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  getConsistencyProof(argument: _approvals_v1_GetConsistencyProofRequest, callback: grpc.requestCallback<_approvals_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  
  /**
   * Proof that an action's events are in the ledger's Merkle tree, against the latest signed
   * checkpoint; checkable offline (approvals audit verify-proof, docs/audit.md).
   */
  GetInclusionProof(argument: _approvals_v1_GetInclusionProofRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  GetInclusionProof(argument: _approvals_v1_GetInclusionProofRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  GetInclusionProof(argument: _approvals_v1_GetInclusionProofRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  GetInclusionProof(argument: _approvals_v1_GetInclusionProofRequest, callback: grpc.requestCallback<_approvals_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  /**
   * Proof that an action's events are in the ledger's Merkle tree, against the latest signed
   * checkpoint; checkable offline (approvals audit verify-proof, docs/audit.md).
   */
  getInclusionProof(argument: _approvals_v1_GetInclusionProofRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  getInclusionProof(argument: _approvals_v1_GetInclusionProofRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  getInclusionProof(argument: _approvals_v1_GetInclusionProofRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  getInclusionProof(argument: _approvals_v1_GetInclusionProofRequest, callback: grpc.requestCallback<_approvals_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  
  /**
   * Every activation of a policy set, oldest first, read from the ledger (stream policy-set-history).
   */
  GetPolicyHistory(argument: _approvals_v1_GetPolicyHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_PolicyHistory__Output>): grpc.ClientUnaryCall;
  GetPolicyHistory(argument: _approvals_v1_GetPolicyHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_PolicyHistory__Output>): grpc.ClientUnaryCall;
  GetPolicyHistory(argument: _approvals_v1_GetPolicyHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_PolicyHistory__Output>): grpc.ClientUnaryCall;
  GetPolicyHistory(argument: _approvals_v1_GetPolicyHistoryRequest, callback: grpc.requestCallback<_approvals_v1_PolicyHistory__Output>): grpc.ClientUnaryCall;
  /**
   * Every activation of a policy set, oldest first, read from the ledger (stream policy-set-history).
   */
  getPolicyHistory(argument: _approvals_v1_GetPolicyHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_PolicyHistory__Output>): grpc.ClientUnaryCall;
  getPolicyHistory(argument: _approvals_v1_GetPolicyHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_PolicyHistory__Output>): grpc.ClientUnaryCall;
  getPolicyHistory(argument: _approvals_v1_GetPolicyHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_PolicyHistory__Output>): grpc.ClientUnaryCall;
  getPolicyHistory(argument: _approvals_v1_GetPolicyHistoryRequest, callback: grpc.requestCallback<_approvals_v1_PolicyHistory__Output>): grpc.ClientUnaryCall;
  
  GetTimeline(argument: _approvals_v1_GetTimelineRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_Timeline__Output>): grpc.ClientUnaryCall;
  GetTimeline(argument: _approvals_v1_GetTimelineRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_Timeline__Output>): grpc.ClientUnaryCall;
  GetTimeline(argument: _approvals_v1_GetTimelineRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_Timeline__Output>): grpc.ClientUnaryCall;
  GetTimeline(argument: _approvals_v1_GetTimelineRequest, callback: grpc.requestCallback<_approvals_v1_Timeline__Output>): grpc.ClientUnaryCall;
  getTimeline(argument: _approvals_v1_GetTimelineRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_Timeline__Output>): grpc.ClientUnaryCall;
  getTimeline(argument: _approvals_v1_GetTimelineRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_Timeline__Output>): grpc.ClientUnaryCall;
  getTimeline(argument: _approvals_v1_GetTimelineRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_Timeline__Output>): grpc.ClientUnaryCall;
  getTimeline(argument: _approvals_v1_GetTimelineRequest, callback: grpc.requestCallback<_approvals_v1_Timeline__Output>): grpc.ClientUnaryCall;
  
  SearchActions(argument: _approvals_v1_SearchActionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_SearchActionsResponse__Output>): grpc.ClientUnaryCall;
  SearchActions(argument: _approvals_v1_SearchActionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_SearchActionsResponse__Output>): grpc.ClientUnaryCall;
  SearchActions(argument: _approvals_v1_SearchActionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_SearchActionsResponse__Output>): grpc.ClientUnaryCall;
  SearchActions(argument: _approvals_v1_SearchActionsRequest, callback: grpc.requestCallback<_approvals_v1_SearchActionsResponse__Output>): grpc.ClientUnaryCall;
  searchActions(argument: _approvals_v1_SearchActionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_SearchActionsResponse__Output>): grpc.ClientUnaryCall;
  searchActions(argument: _approvals_v1_SearchActionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_SearchActionsResponse__Output>): grpc.ClientUnaryCall;
  searchActions(argument: _approvals_v1_SearchActionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_SearchActionsResponse__Output>): grpc.ClientUnaryCall;
  searchActions(argument: _approvals_v1_SearchActionsRequest, callback: grpc.requestCallback<_approvals_v1_SearchActionsResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * Auditors read the ledger's projection here.
 */
export interface AuditServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Proof that the tree of one signed checkpoint extends the tree of an earlier one.
   */
  GetConsistencyProof: grpc.handleUnaryCall<_approvals_v1_GetConsistencyProofRequest__Output, _approvals_v1_ConsistencyProof>;
  
  /**
   * Proof that an action's events are in the ledger's Merkle tree, against the latest signed
   * checkpoint; checkable offline (approvals audit verify-proof, docs/audit.md).
   */
  GetInclusionProof: grpc.handleUnaryCall<_approvals_v1_GetInclusionProofRequest__Output, _approvals_v1_InclusionProof>;
  
  /**
   * Every activation of a policy set, oldest first, read from the ledger (stream policy-set-history).
   */
  GetPolicyHistory: grpc.handleUnaryCall<_approvals_v1_GetPolicyHistoryRequest__Output, _approvals_v1_PolicyHistory>;
  
  GetTimeline: grpc.handleUnaryCall<_approvals_v1_GetTimelineRequest__Output, _approvals_v1_Timeline>;
  
  SearchActions: grpc.handleUnaryCall<_approvals_v1_SearchActionsRequest__Output, _approvals_v1_SearchActionsResponse>;
  
}

export interface AuditServiceDefinition extends grpc.ServiceDefinition {
  GetConsistencyProof: MethodDefinition<_approvals_v1_GetConsistencyProofRequest, _approvals_v1_ConsistencyProof, _approvals_v1_GetConsistencyProofRequest__Output, _approvals_v1_ConsistencyProof__Output>
  GetInclusionProof: MethodDefinition<_approvals_v1_GetInclusionProofRequest, _approvals_v1_InclusionProof, _approvals_v1_GetInclusionProofRequest__Output, _approvals_v1_InclusionProof__Output>
  GetPolicyHistory: MethodDefinition<_approvals_v1_GetPolicyHistoryRequest, _approvals_v1_PolicyHistory, _approvals_v1_GetPolicyHistoryRequest__Output, _approvals_v1_PolicyHistory__Output>
  GetTimeline: MethodDefinition<_approvals_v1_GetTimelineRequest, _approvals_v1_Timeline, _approvals_v1_GetTimelineRequest__Output, _approvals_v1_Timeline__Output>
  SearchActions: MethodDefinition<_approvals_v1_SearchActionsRequest, _approvals_v1_SearchActionsResponse, _approvals_v1_SearchActionsRequest__Output, _approvals_v1_SearchActionsResponse__Output>
}
