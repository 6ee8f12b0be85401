// Original file: approvals/v1/decisions.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { BreakGlassResponse as _approvals_v1_BreakGlassResponse, BreakGlassResponse__Output as _approvals_v1_BreakGlassResponse__Output } from '../../approvals/v1/BreakGlassResponse';
import type { CastVoteRequest as _approvals_v1_CastVoteRequest, CastVoteRequest__Output as _approvals_v1_CastVoteRequest__Output } from '../../approvals/v1/CastVoteRequest';
import type { CastVoteResponse as _approvals_v1_CastVoteResponse, CastVoteResponse__Output as _approvals_v1_CastVoteResponse__Output } from '../../approvals/v1/CastVoteResponse';
import type { InvokeBreakGlassRequest as _approvals_v1_InvokeBreakGlassRequest, InvokeBreakGlassRequest__Output as _approvals_v1_InvokeBreakGlassRequest__Output } from '../../approvals/v1/InvokeBreakGlassRequest';
import type { ListPendingRequest as _approvals_v1_ListPendingRequest, ListPendingRequest__Output as _approvals_v1_ListPendingRequest__Output } from '../../approvals/v1/ListPendingRequest';
import type { ListPendingResponse as _approvals_v1_ListPendingResponse, ListPendingResponse__Output as _approvals_v1_ListPendingResponse__Output } from '../../approvals/v1/ListPendingResponse';
import type { ReviewBreakGlassRequest as _approvals_v1_ReviewBreakGlassRequest, ReviewBreakGlassRequest__Output as _approvals_v1_ReviewBreakGlassRequest__Output } from '../../approvals/v1/ReviewBreakGlassRequest';
import type { RevokeStandingApprovalRequest as _approvals_v1_RevokeStandingApprovalRequest, RevokeStandingApprovalRequest__Output as _approvals_v1_RevokeStandingApprovalRequest__Output } from '../../approvals/v1/RevokeStandingApprovalRequest';
import type { RevokeStandingApprovalResponse as _approvals_v1_RevokeStandingApprovalResponse, RevokeStandingApprovalResponse__Output as _approvals_v1_RevokeStandingApprovalResponse__Output } from '../../approvals/v1/RevokeStandingApprovalResponse';

/**
 * Approvers decide here (the CLI and API channel). The approver is identified by credentials
 * in gRPC metadata.
 */
export interface DecisionServiceClient extends grpc.Client {
  CastVote(argument: _approvals_v1_CastVoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  CastVote(argument: _approvals_v1_CastVoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  CastVote(argument: _approvals_v1_CastVoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  CastVote(argument: _approvals_v1_CastVoteRequest, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  castVote(argument: _approvals_v1_CastVoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  castVote(argument: _approvals_v1_CastVoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  castVote(argument: _approvals_v1_CastVoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  castVote(argument: _approvals_v1_CastVoteRequest, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The emergency path, where the policy offers one: approves now, tells every approver, opens a review.
   */
  InvokeBreakGlass(argument: _approvals_v1_InvokeBreakGlassRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  InvokeBreakGlass(argument: _approvals_v1_InvokeBreakGlassRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  InvokeBreakGlass(argument: _approvals_v1_InvokeBreakGlassRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  InvokeBreakGlass(argument: _approvals_v1_InvokeBreakGlassRequest, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The emergency path, where the policy offers one: approves now, tells every approver, opens a review.
   */
  invokeBreakGlass(argument: _approvals_v1_InvokeBreakGlassRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  invokeBreakGlass(argument: _approvals_v1_InvokeBreakGlassRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  invokeBreakGlass(argument: _approvals_v1_InvokeBreakGlassRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  invokeBreakGlass(argument: _approvals_v1_InvokeBreakGlassRequest, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Approval requests and break-glass reviews waiting for approvers.
   */
  ListPending(argument: _approvals_v1_ListPendingRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  ListPending(argument: _approvals_v1_ListPendingRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  ListPending(argument: _approvals_v1_ListPendingRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  ListPending(argument: _approvals_v1_ListPendingRequest, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Approval requests and break-glass reviews waiting for approvers.
   */
  listPending(argument: _approvals_v1_ListPendingRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  listPending(argument: _approvals_v1_ListPendingRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  listPending(argument: _approvals_v1_ListPendingRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  listPending(argument: _approvals_v1_ListPendingRequest, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The mandatory review of a break-glass approval, by an approver other than the invoker.
   */
  ReviewBreakGlass(argument: _approvals_v1_ReviewBreakGlassRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  ReviewBreakGlass(argument: _approvals_v1_ReviewBreakGlassRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  ReviewBreakGlass(argument: _approvals_v1_ReviewBreakGlassRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  ReviewBreakGlass(argument: _approvals_v1_ReviewBreakGlassRequest, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The mandatory review of a break-glass approval, by an approver other than the invoker.
   */
  reviewBreakGlass(argument: _approvals_v1_ReviewBreakGlassRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  reviewBreakGlass(argument: _approvals_v1_ReviewBreakGlassRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  reviewBreakGlass(argument: _approvals_v1_ReviewBreakGlassRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  reviewBreakGlass(argument: _approvals_v1_ReviewBreakGlassRequest, callback: grpc.requestCallback<_approvals_v1_BreakGlassResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Ends the standing approval that an action's approval granted.
   */
  RevokeStandingApproval(argument: _approvals_v1_RevokeStandingApprovalRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_RevokeStandingApprovalResponse__Output>): grpc.ClientUnaryCall;
  RevokeStandingApproval(argument: _approvals_v1_RevokeStandingApprovalRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_RevokeStandingApprovalResponse__Output>): grpc.ClientUnaryCall;
  RevokeStandingApproval(argument: _approvals_v1_RevokeStandingApprovalRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_RevokeStandingApprovalResponse__Output>): grpc.ClientUnaryCall;
  RevokeStandingApproval(argument: _approvals_v1_RevokeStandingApprovalRequest, callback: grpc.requestCallback<_approvals_v1_RevokeStandingApprovalResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Ends the standing approval that an action's approval granted.
   */
  revokeStandingApproval(argument: _approvals_v1_RevokeStandingApprovalRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_RevokeStandingApprovalResponse__Output>): grpc.ClientUnaryCall;
  revokeStandingApproval(argument: _approvals_v1_RevokeStandingApprovalRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_RevokeStandingApprovalResponse__Output>): grpc.ClientUnaryCall;
  revokeStandingApproval(argument: _approvals_v1_RevokeStandingApprovalRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_RevokeStandingApprovalResponse__Output>): grpc.ClientUnaryCall;
  revokeStandingApproval(argument: _approvals_v1_RevokeStandingApprovalRequest, callback: grpc.requestCallback<_approvals_v1_RevokeStandingApprovalResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * Approvers decide here (the CLI and API channel). The approver is identified by credentials
 * in gRPC metadata.
 */
export interface DecisionServiceHandlers extends grpc.UntypedServiceImplementation {
  CastVote: grpc.handleUnaryCall<_approvals_v1_CastVoteRequest__Output, _approvals_v1_CastVoteResponse>;
  
  /**
   * The emergency path, where the policy offers one: approves now, tells every approver, opens a review.
   */
  InvokeBreakGlass: grpc.handleUnaryCall<_approvals_v1_InvokeBreakGlassRequest__Output, _approvals_v1_BreakGlassResponse>;
  
  /**
   * Approval requests and break-glass reviews waiting for approvers.
   */
  ListPending: grpc.handleUnaryCall<_approvals_v1_ListPendingRequest__Output, _approvals_v1_ListPendingResponse>;
  
  /**
   * The mandatory review of a break-glass approval, by an approver other than the invoker.
   */
  ReviewBreakGlass: grpc.handleUnaryCall<_approvals_v1_ReviewBreakGlassRequest__Output, _approvals_v1_BreakGlassResponse>;
  
  /**
   * Ends the standing approval that an action's approval granted.
   */
  RevokeStandingApproval: grpc.handleUnaryCall<_approvals_v1_RevokeStandingApprovalRequest__Output, _approvals_v1_RevokeStandingApprovalResponse>;
  
}

export interface DecisionServiceDefinition extends grpc.ServiceDefinition {
  CastVote: MethodDefinition<_approvals_v1_CastVoteRequest, _approvals_v1_CastVoteResponse, _approvals_v1_CastVoteRequest__Output, _approvals_v1_CastVoteResponse__Output>
  InvokeBreakGlass: MethodDefinition<_approvals_v1_InvokeBreakGlassRequest, _approvals_v1_BreakGlassResponse, _approvals_v1_InvokeBreakGlassRequest__Output, _approvals_v1_BreakGlassResponse__Output>
  ListPending: MethodDefinition<_approvals_v1_ListPendingRequest, _approvals_v1_ListPendingResponse, _approvals_v1_ListPendingRequest__Output, _approvals_v1_ListPendingResponse__Output>
  ReviewBreakGlass: MethodDefinition<_approvals_v1_ReviewBreakGlassRequest, _approvals_v1_BreakGlassResponse, _approvals_v1_ReviewBreakGlassRequest__Output, _approvals_v1_BreakGlassResponse__Output>
  RevokeStandingApproval: MethodDefinition<_approvals_v1_RevokeStandingApprovalRequest, _approvals_v1_RevokeStandingApprovalResponse, _approvals_v1_RevokeStandingApprovalRequest__Output, _approvals_v1_RevokeStandingApprovalResponse__Output>
}
